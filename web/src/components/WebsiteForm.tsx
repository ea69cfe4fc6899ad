import { useState } from 'react';
import { post, type Team, type Website } from '../lib/api';
import { ActionForm, Field, FormButtons, FormError, Select, useAction } from './ui';

/** Create or edit a website's name and domain (and, when creating, its team). */
export function WebsiteForm({ website, teams, onSaved, onCancel }: { website?: Website; teams?: Team[]; onSaved: (w: Website) => void; onCancel?: () => void }) {
  const [name, setName] = useState(website?.name ?? '');
  const [domain, setDomain] = useState(website?.domain ?? '');
  const [teamId, setTeamId] = useState('');
  const action = useAction(async () => {
    const clean = domain.trim().replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    const body: Record<string, unknown> = { name: name.trim(), domain: clean };
    if (!website && teamId) body.teamId = teamId;
    const saved = await post<Website>(website ? `/websites/${website.id}` : '/websites', body);
    onSaved(saved);
  });
  return (
    <ActionForm className="stack" onSubmit={action.run} aria-label={website ? 'Edit website' : 'Add website'}>
      <Field label="Name">{(id) => <input id={id} required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />}</Field>
      <Field label="Domain">{(id) => <input id={id} required maxLength={500} placeholder="example.com" value={domain} onChange={(e) => setDomain(e.target.value)} />}</Field>
      {!website && teams && teams.length > 0 && (
        <Field label="Owner">{(id) => <Select id={id} value={teamId} options={[{ value: '', label: 'Me' }, ...teams.map((t) => ({ value: t.id, label: `Team ${t.name}` }))]} onChange={setTeamId} />}</Field>
      )}
      <FormError error={action.error} />
      <FormButtons submit={website ? 'Save' : 'Add website'} onCancel={onCancel} busy={action.busy} />
    </ActionForm>
  );
}
