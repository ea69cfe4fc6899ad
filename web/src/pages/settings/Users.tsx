// Settings › Users (admins): list, create, edit and delete users.
import { useState } from 'react';
import { del, post, type User } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import { PagedTable, usePaged, type Column } from '../../components/DataTable';
import { ActionForm, Confirm, ErrorBox, Field, FormButtons, FormError, Modal, Panel, Select, useAction } from '../../components/ui';
import { PasswordField } from './shared';

const USER_ROLES = [
  { value: 'admin', label: 'Administrator' },
  { value: 'user', label: 'User' },
  { value: 'view-only', label: 'View only' },
];

function UserForm({ user, onDone }: { user?: User; onDone: () => void }) {
  const [username, setUsername] = useState(user?.username ?? '');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState(user?.role ?? 'user');
  const action = useAction(async () => {
    const body: Record<string, string> = { username, role };
    if (password) body.password = password;
    await post(user ? `/users/${user.id}` : '/users', body);
    onDone();
  });
  return (
    <ActionForm className="stack" onSubmit={action.run}>
      <Field label="Username">{(id) => <input id={id} required value={username} onChange={(e) => setUsername(e.target.value)} />}</Field>
      <PasswordField label={user ? 'New password (optional)' : 'Password'} value={password} onChange={setPassword} isNew required={!user} />
      <Field label="Role">{(id) => <Select id={id} value={role} options={USER_ROLES} onChange={setRole} />}</Field>
      <FormError error={action.error} />
      <FormButtons submit="Save" onCancel={onDone} busy={action.busy} />
    </ActionForm>
  );
}

export default function Users() {
  const { user: me } = useAuth();
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const paged = usePaged<User>(me?.isAdmin ? '/admin/users' : null);
  if (!me?.isAdmin) return <ErrorBox error={new Error('Only administrators can manage users.')} title="Not allowed" />;
  const columns: Column<User>[] = [
    { key: 'username', label: 'Username', cell: (u) => u.username },
    { key: 'role', label: 'Role', cell: (u) => u.role },
    {
      key: 'actions',
      label: 'Actions',
      hideLabel: true,
      className: 'actions',
      num: true,
      cell: (u) => (
        <>
          <button type="button" className="btn small" onClick={() => setEditing(u)}>
            Edit
          </button>
          {u.id !== me.id && (
            <button type="button" className="btn small danger" onClick={() => setDeleting(u)}>
              Delete
            </button>
          )}
        </>
      ),
    },
  ];
  return (
    <Panel
      title="Users"
      className="card stack"
      actions={
        <button type="button" className="btn primary" onClick={() => setEditing('new')}>
          + Add user
        </button>
      }
    >
      <PagedTable paged={paged} columns={columns} rowKey={(u) => u.id} />
      <Modal title={editing === 'new' ? 'Add user' : 'Edit user'} open={editing !== null} onClose={() => setEditing(null)}>
        {editing !== null && (
          <UserForm
            user={editing === 'new' ? undefined : editing}
            onDone={() => {
              setEditing(null);
              paged.res.reload();
            }}
          />
        )}
      </Modal>
      <Confirm
        open={deleting !== null}
        title="Delete user"
        danger
        confirmLabel="Delete"
        message={<p>Delete {deleting?.username} and their websites? This cannot be undone.</p>}
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          await del(`/users/${deleting!.id}`);
          paged.res.reload();
        }}
      />
    </Panel>
  );
}

/** A card with one text field and a button (create a team, join a team). */
