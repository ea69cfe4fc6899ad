// Settings › Profile: the signed-in user's name and password.
import { useState } from 'react';
import { post, setToken } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import { ActionForm, FormError, Panel, Props, useAction } from '../../components/ui';
import { PasswordField } from './shared';

export default function Profile() {
  const { user, refresh } = useAuth();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [done, setDone] = useState(false);
  const action = useAction(async () => {
    if (next !== confirm) throw new Error('The new passwords do not match.');
    if (next.length < 8) throw new Error('The new password must be at least 8 characters.');
    // The change ends every other session; this one continues with the token it answers.
    const res = await post<{ token?: string }>('/me/password', { currentPassword: current, newPassword: next });
    if (res.token) setToken(res.token);
    await refresh().catch(() => undefined);
    setCurrent('');
    setNext('');
    setConfirm('');
    setDone(true);
  });
  return (
    <Panel title="Profile" className="card stack">
      <Props
        items={[
          ['Username', user?.username],
          ['Role', user?.role],
        ]}
      />
      <ActionForm
        className="stack"
        aria-label="Change password"
        onSubmit={() => {
          setDone(false);
          action.run();
        }}
      >
        <h3>Change password</h3>
        <PasswordField label="Current password" value={current} onChange={setCurrent} />
        <PasswordField label="New password" value={next} onChange={setNext} isNew />
        <PasswordField label="Confirm new password" value={confirm} onChange={setConfirm} isNew />
        <FormError error={action.error} />
        {done && <p role="status">Password changed.</p>}
        <div>
          <button type="submit" className="btn primary" disabled={action.busy}>
            Change password
          </button>
        </div>
      </ActionForm>
    </Panel>
  );
}
