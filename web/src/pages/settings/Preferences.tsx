// Settings › Preferences: theme, default date range and time zone, kept in this browser.
import { useMemo, useState } from 'react';
import { RANGE_OPTIONS, timeZones } from '../../lib/dates';
import { getDefaultRange, getTheme, getTimeZone, setDefaultRange, setTheme, setTimeZone, type Theme } from '../../lib/prefs';
import { Field, Panel, Select } from '../../components/ui';

export default function Preferences() {
  const [theme, setT] = useState<Theme>(getTheme);
  const [range, setRange] = useState(getDefaultRange);
  const [tz, setTz] = useState(getTimeZone);
  const zones = useMemo(() => timeZones(), []);
  return (
    <Panel title="Preferences" className="card stack">
      <p className="muted small">Kept in this browser.</p>
      <Field label="Default date range">
        {(id) => (
          <Select
            id={id}
            value={range}
            options={RANGE_OPTIONS.filter((o) => o.value !== 'custom')}
            onChange={(v) => {
              setRange(v);
              setDefaultRange(v);
            }}
          />
        )}
      </Field>
      <Field label="Time zone">
        {(id) => (
          <Select
            id={id}
            value={tz}
            options={zones.includes(tz) ? zones : [tz, ...zones]}
            onChange={(v) => {
              setTz(v);
              setTimeZone(v);
            }}
          />
        )}
      </Field>
      <fieldset>
        <legend>Theme</legend>
        <div className="row">
          {(['light', 'dark'] as Theme[]).map((t) => (
            <label key={t} className="check">
              <input
                type="radio"
                name="theme"
                checked={theme === t}
                onChange={() => {
                  setTheme(t);
                  setT(t);
                }}
              />
              {t === 'light' ? 'Light' : 'Dark'}
            </label>
          ))}
        </div>
      </fieldset>
    </Panel>
  );
}

/** A labelled password input. */
