// Data retention and the purge log on the website settings page, and the dashboard's note when
// the chosen range reaches back past what is kept.
import { useEffect, useState } from 'react';
import { post, type Paged, type Website } from '../lib/api';
import { useApi } from '../lib/useApi';
import { ActionForm, Field, FormButtons, FormError, Fetched, useAction } from './ui';

const DAY = 86_400_000;

interface PurgeEntry {
  id: string;
  kind: 'purge' | 'forget' | 'retention';
  filters: Record<string, unknown>;
  startAt: string | null;
  endAt: string | null;
  events: number;
  sessions: number;
  createdAt: string;
}

const KIND_LABELS: Record<PurgeEntry['kind'], string> = { purge: 'Purge', forget: 'Forget visitor', retention: 'Retention' };

function what(e: PurgeEntry): string {
  const filters = Object.entries(e.filters).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : String(v)}`);
  if (e.kind === 'retention' && e.endAt) filters.push(`before ${new Date(e.endAt).toLocaleDateString()}`);
  if (e.startAt || (e.endAt && e.kind !== 'retention')) filters.push(`${e.startAt ? new Date(e.startAt).toLocaleString() : '…'} – ${e.endAt ? new Date(e.endAt).toLocaleString() : '…'}`);
  return filters.join(', ');
}

export function DataRetention({ website, onChange }: { website: Website; onChange: () => void }) {
  const [days, setDays] = useState(website.retentionDays == null ? '' : String(website.retentionDays));
  const [saved, setSaved] = useState(false);
  useEffect(() => setDays(website.retentionDays == null ? '' : String(website.retentionDays)), [website.retentionDays]);
  const log = useApi<Paged<PurgeEntry>>(`/websites/${website.id}/purges`, { pageSize: 20 });
  const save = useAction(async () => {
    setSaved(false);
    await post(`/websites/${website.id}`, { retentionDays: days.trim() === '' ? null : Number(days) });
    setSaved(true);
    onChange();
  });
  return (
    <section className="card" aria-labelledby="retention-h">
      <h2 id="retention-h">Data retention</h2>
      <ActionForm className="stack" onSubmit={save.run} aria-label="Data retention">
        <Field label="Keep raw data for (days)" hint="Older page views, events and sessions are deleted once a day. Leave empty to keep everything.">
          {(id) => <input id={id} type="number" min={1} max={36500} step={1} placeholder="forever" value={days} onChange={(e) => setDays(e.target.value)} />}
        </Field>
        <FormError error={save.error} />
        <FormButtons submit="Save" busy={save.busy} />
      </ActionForm>
      {saved && <p role="status">Saved.</p>}
      <h3>Deletion log</h3>
      <Fetched res={log} isEmpty={(d) => d.data.length === 0} empty="Nothing has been deleted yet.">
        {(d) => (
          <div className="table-scroll">
            <table className="data-table" aria-label="Deletion log">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Kind</th>
                  <th>What</th>
                  <th>Events</th>
                  <th>Sessions</th>
                </tr>
              </thead>
              <tbody>
                {d.data.map((e) => (
                  <tr key={e.id}>
                    <td>{new Date(e.createdAt).toLocaleString()}</td>
                    <td>{KIND_LABELS[e.kind] ?? e.kind}</td>
                    <td>{what(e)}</td>
                    <td>{e.events}</td>
                    <td>{e.sessions}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Fetched>
    </section>
  );
}

/** Shown above the dashboard when the range starts before the oldest day still kept. */
export function RetentionNote({ website, startAt }: { website: Website; startAt: number }) {
  if (website.retentionDays == null) return null;
  // The server deletes whole UTC days (src/server/retention.ts retentionCutoff).
  const kept = Math.floor((Date.now() - website.retentionDays * DAY) / DAY) * DAY;
  if (startAt >= kept) return null;
  return (
    <p className="muted small" role="note">
      This website keeps raw data for {website.retentionDays} days: nothing before {new Date(kept).toLocaleDateString()} is shown.
    </p>
  );
}
