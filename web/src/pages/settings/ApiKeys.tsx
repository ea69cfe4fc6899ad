// Settings → API keys: create (name, scope, optional websites, optional expiry), copy the key once,
// list with last use, revoke.
import { useState } from 'react';
import { del, post, type Paged, type Website } from '../../lib/api';
import { useApi } from '../../lib/useApi';
import { DataTable, type Column } from '../../components/DataTable';
import { ActionForm, Confirm, CopyButton, Fetched, Field, FormButtons, FormError, Modal, Panel, Select, useAction } from '../../components/ui';

interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scope: 'read' | 'write';
  websiteIds: string[] | null;
  expiresAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

type Created = ApiKey & { key: string };

const SCOPES = [
  { value: 'read', label: 'Read: analytics and reports' },
  { value: 'write', label: 'Write: also websites, segments, saved reports, teams' },
];

const when = (d: string | null, none: string) => (d ? new Date(d).toLocaleString() : none);

function CreateForm({ onCreated, onCancel }: { onCreated: (k: Created) => void; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [scope, setScope] = useState('read');
  const [limit, setLimit] = useState(false);
  const [sites, setSites] = useState<string[]>([]);
  const [expires, setExpires] = useState('');
  const websites = useApi<Paged<Website>>('/websites', { pageSize: 1000, includeTeams: 'true' });
  const action = useAction(async () => {
    if (limit && !sites.length) throw new Error('Choose at least one website, or allow all websites.');
    const body: Record<string, unknown> = { name, scope };
    if (limit) body.websiteIds = sites;
    // A date picked here means the end of that day, in this browser's time zone.
    if (expires) body.expiresAt = new Date(`${expires}T23:59:59.999`).toISOString();
    onCreated(await post<Created>('/me/api-keys', body));
  });
  return (
    <ActionForm className="stack" aria-label="Create API key" onSubmit={action.run}>
      <Field label="Name" hint="What uses it, e.g. homepage or claude">
        {(id) => <input id={id} required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label="Scope">{(id) => <Select id={id} value={scope} options={SCOPES} onChange={setScope} />}</Field>
      <label className="check">
        <input type="checkbox" checked={limit} onChange={(e) => setLimit(e.target.checked)} />
        Only some websites
      </label>
      {limit && (
        <fieldset>
          <legend>Websites</legend>
          <Fetched res={websites} isEmpty={(d) => d.data.length === 0} empty="No websites.">
            {(d) => (
              <div className="stack">
                {d.data.map((w) => (
                  <label key={w.id} className="check">
                    <input
                      type="checkbox"
                      checked={sites.includes(w.id)}
                      onChange={(e) => setSites((s) => (e.target.checked ? [...s, w.id] : s.filter((x) => x !== w.id)))}
                    />
                    {w.name} <span className="muted small">{w.domain}</span>
                  </label>
                ))}
              </div>
            )}
          </Fetched>
        </fieldset>
      )}
      <Field label="Expires (optional)">{(id) => <input id={id} type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />}</Field>
      <FormError error={action.error} />
      <FormButtons submit="Create key" onCancel={onCancel} busy={action.busy} />
    </ActionForm>
  );
}

export default function ApiKeys() {
  const keys = useApi<Paged<ApiKey>>('/me/api-keys');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const columns: Column<ApiKey>[] = [
    { key: 'name', label: 'Name', cell: (k) => k.name },
    { key: 'prefix', label: 'Key', cell: (k) => <code>{k.prefix}…</code> },
    { key: 'scope', label: 'Scope', cell: (k) => k.scope },
    { key: 'websites', label: 'Websites', cell: (k) => (k.websiteIds ? `${k.websiteIds.length} website${k.websiteIds.length === 1 ? '' : 's'}` : 'All') },
    { key: 'lastUsedAt', label: 'Last used', cell: (k) => when(k.lastUsedAt, 'Never') },
    { key: 'expiresAt', label: 'Expires', cell: (k) => when(k.expiresAt, 'Never') },
    {
      key: 'actions',
      label: 'Actions',
      hideLabel: true,
      num: true,
      cell: (k) => (
        <button type="button" className="btn small danger" onClick={() => setRevoking(k)}>
          Revoke
        </button>
      ),
    },
  ];
  return (
    <Panel
      title="API keys"
      className="card stack"
      actions={
        <button type="button" className="btn primary" onClick={() => setCreating(true)}>
          + Create API key
        </button>
      }
    >
      <p className="muted small">
        For scripts, dashboards and AI agents: send <code>x-umami-api-key: &lt;key&gt;</code> or <code>Authorization: Bearer &lt;key&gt;</code>. A key can do what you can, never more,
        and never manage users, passwords or keys.
      </p>
      {created && (
        <div className="card stack" role="status" aria-label="New API key">
          <p>
            Key <strong>{created.name}</strong> created. Copy it now: it is not shown again.
          </p>
          <div className="row">
            <code className="secret" data-testid="new-api-key">
              {created.key}
            </code>
            <CopyButton text={created.key} />
          </div>
          <div>
            <button type="button" className="btn small" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      <Fetched res={keys} isEmpty={(d) => d.data.length === 0} empty="No API keys yet.">
        {(d) => <DataTable columns={columns} rows={d.data} rowKey={(k) => k.id} caption="API keys" />}
      </Fetched>
      <Modal title="Create API key" open={creating} onClose={() => setCreating(false)}>
        {creating && (
          <CreateForm
            onCancel={() => setCreating(false)}
            onCreated={(k) => {
              setCreating(false);
              setCreated(k);
              keys.reload();
            }}
          />
        )}
      </Modal>
      <Confirm
        open={revoking !== null}
        title="Revoke API key"
        danger
        confirmLabel="Revoke"
        message={<p>Revoke {revoking?.name}? Anything using it stops working at once.</p>}
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          await del(`/me/api-keys/${revoking!.id}`);
          keys.reload();
        }}
      />
    </Panel>
  );
}
