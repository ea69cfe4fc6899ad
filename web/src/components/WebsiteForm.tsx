import { useState, type FormEvent } from 'react';
import { post, type Team, type Website } from '../lib/api';
import { FormError, useAction } from './ui';

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
  const submit = (e: FormEvent) => {
    e.preventDefault();
    action.run();
  };
  return (
    <form className="stack" onSubmit={submit} aria-label={website ? 'Edit website' : 'Add website'}>
      <div className="field">
        <label htmlFor="website-name">Name</label>
        <input id="website-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="website-domain">Domain</label>
        <input id="website-domain" required maxLength={500} placeholder="example.com" value={domain} onChange={(e) => setDomain(e.target.value)} />
      </div>
      {!website && teams && teams.length > 0 && (
        <div className="field">
          <label htmlFor="website-team">Owner</label>
          <select id="website-team" value={teamId} onChange={(e) => setTeamId(e.target.value)}>
            <option value="">Me</option>
            {teams.map((t) => (
              <option key={t.id} value={t.id}>
                Team {t.name}
              </option>
            ))}
          </select>
        </div>
      )}
      <FormError error={action.error} />
      <div className="row end">
        {onCancel && (
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" className="btn primary" disabled={action.busy}>
          {website ? 'Save' : 'Add website'}
        </button>
      </div>
    </form>
  );
}
