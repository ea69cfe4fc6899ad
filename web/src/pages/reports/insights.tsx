// The Insights report in the editor.
import type { ReportKind } from './form';

const INSIGHT_FIELDS = ['url', 'referrer', 'browser', 'os', 'device', 'country', 'region', 'city', 'language', 'event'];

export const insights: ReportKind = {
  type: 'insights',
  label: 'Insights',
  description: 'Break traffic down by any combination of fields.',
  body: (f) => ({ fields: f.fields.map((name) => ({ name, type: 'string', label: name })), filters: [] }),
  Form: ({ f, set }) => (
    <fieldset>
      <legend>Fields</legend>
      <div className="checks">
        {INSIGHT_FIELDS.map((name) => (
          <label key={name} className="check">
            <input
              type="checkbox"
              checked={f.fields.includes(name)}
              onChange={(e) => set({ fields: e.target.checked ? [...f.fields, name] : f.fields.filter((x) => x !== name) })}
            />
            {name}
          </label>
        ))}
      </div>
    </fieldset>
  ),
};
