// Pieces the settings sections share: a password field, a one-field form, a list of websites.
import { useState } from 'react';
import { type Website } from '../../lib/api';
import { Link } from '../../lib/router';
import { ActionForm, Field, FormError, useAction } from '../../components/ui';

export function PasswordField({ label, value, onChange, isNew, required = true }: { label: string; value: string; onChange: (v: string) => void; isNew?: boolean; required?: boolean }) {
  return (
    <Field label={label}>
      {(id) => <input id={id} type="password" autoComplete={isNew ? 'new-password' : 'current-password'} required={required} minLength={isNew ? 8 : undefined} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}


export function OneFieldForm({ title, label, submit, primary, onSubmit }: { title: string; label: string; submit: string; primary?: boolean; onSubmit: (value: string) => Promise<unknown> }) {
  const [value, setValue] = useState('');
  const action = useAction(async () => {
    await onSubmit(value.trim());
    setValue('');
  });
  return (
    <ActionForm className="card stack" aria-label={title} onSubmit={action.run}>
      <h3>{title}</h3>
      <Field label={label}>{(id) => <input id={id} required maxLength={50} value={value} onChange={(e) => setValue(e.target.value)} />}</Field>
      <FormError error={action.error} />
      <div>
        <button type="submit" className={primary ? 'btn primary' : 'btn'} disabled={action.busy}>
          {submit}
        </button>
      </div>
    </ActionForm>
  );
}

/** Links to websites, with their domains. */
export function WebsiteList({ websites }: { websites: Website[] }) {
  return (
    <ul className="plain-list">
      {websites.map((w) => (
        <li key={w.id}>
          <Link to={`/websites/${w.id}`}>{w.name}</Link> <span className="muted">{w.domain}</span>
        </li>
      ))}
    </ul>
  );
}
