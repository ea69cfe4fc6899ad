// Settings: preferences, profile (password), users (admins), teams and websites.
import { useMemo, useState } from 'react';
import { del, post, setToken, type Paged, type Team, type TeamMember, type User, type Website } from '../lib/api';
import { useAuth } from '../lib/auth';
import { RANGE_OPTIONS, timeZones } from '../lib/dates';
import { getDefaultRange, getTheme, getTimeZone, setDefaultRange, setTheme, setTimeZone, type Theme } from '../lib/prefs';
import { Link } from '../lib/router';
import { useApi } from '../lib/useApi';
import { DataTable, PagedTable, usePaged, type Column } from '../components/DataTable';
import ApiKeys from './settings/ApiKeys';
import { ActionForm, Confirm, CopyButton, Empty, ErrorBox, Fetched, Field, FormButtons, FormError, HiddenLabel, Loading, Modal, Panel, Props, Select, useAction } from '../components/ui';

function Preferences() {
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
function PasswordField({ label, value, onChange, isNew, required = true }: { label: string; value: string; onChange: (v: string) => void; isNew?: boolean; required?: boolean }) {
  return (
    <Field label={label}>
      {(id) => <input id={id} type="password" autoComplete={isNew ? 'new-password' : 'current-password'} required={required} minLength={isNew ? 8 : undefined} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

function Profile() {
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

function Users() {
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
function OneFieldForm({ title, label, submit, primary, onSubmit }: { title: string; label: string; submit: string; primary?: boolean; onSubmit: (value: string) => Promise<unknown> }) {
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
function WebsiteList({ websites }: { websites: Website[] }) {
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

function Teams() {
  const res = useApi<Paged<Team>>('/teams', { pageSize: 100 });
  return (
    <div className="stack">
      <Panel title="Teams" className="card stack">
        <Fetched res={res} isEmpty={(d) => d.data.length === 0} empty="You are not in any team.">
          {(d) => (
            <ul className="plain-list">
              {d.data.map((t) => (
                <li key={t.id}>
                  <Link to={`/settings/teams/${t.id}`}>{t.name}</Link>
                </li>
              ))}
            </ul>
          )}
        </Fetched>
      </Panel>
      <div className="grid two">
        <OneFieldForm
          title="Create a team"
          label="Team name"
          submit="Create team"
          primary
          onSubmit={async (name) => {
            await post('/teams', { name });
            res.reload();
          }}
        />
        <OneFieldForm
          title="Join a team"
          label="Access code"
          submit="Join team"
          onSubmit={async (accessCode) => {
            await post('/teams/join', { accessCode });
            res.reload();
          }}
        />
      </div>
    </div>
  );
}

const TEAM_ROLES = [
  { value: 'team-owner', label: 'Owner' },
  { value: 'team-manager', label: 'Manager' },
  { value: 'team-member', label: 'Member' },
  { value: 'team-view-only', label: 'View only' },
];

function TeamDetail({ teamId }: { teamId: string }) {
  const { user } = useAuth();
  const team = useApi<Team & { members?: TeamMember[] }>(`/teams/${teamId}`);
  const members = useApi<Paged<TeamMember>>(`/teams/${teamId}/users`, { pageSize: 200 });
  const websites = useApi<Paged<Website>>(`/teams/${teamId}/websites`, { pageSize: 200 });
  const users = useApi<Paged<User>>(user?.isAdmin ? '/admin/users' : null, { pageSize: 200 });
  const [newUser, setNewUser] = useState('');
  const [newRole, setNewRole] = useState('team-member');
  const [name, setName] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const reloadAll = () => {
    team.reload();
    members.reload();
  };
  const rename = useAction(async () => {
    await post(`/teams/${teamId}`, { name });
    setName(null);
    team.reload();
  });
  const regenerate = useAction(async () => {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    const code = 'team_' + btoa(String.fromCharCode(...bytes)).replace(/[^A-Za-z0-9]/g, '').slice(0, 16);
    await post(`/teams/${teamId}`, { accessCode: code });
    team.reload();
  });
  const add = useAction(async () => {
    await post(`/teams/${teamId}/users`, { userId: newUser.trim(), role: newRole });
    setNewUser('');
    reloadAll();
  });
  const setRole = useAction(async (userId: string, role: string) => {
    await post(`/teams/${teamId}/users/${userId}`, { role });
    reloadAll();
  });
  const remove = useAction(async (userId: string) => {
    await del(`/teams/${teamId}/users/${userId}`);
    reloadAll();
  });
  if (team.error) return <ErrorBox error={team.error} retry={team.reload} />;
  if (!team.data) return <Loading />;
  const t = team.data;
  const list = members.data?.data ?? t.members ?? [];
  const memberName = (m: TeamMember) => m.user?.username ?? m.userId;
  const columns: Column<TeamMember>[] = [
    { key: 'user', label: 'User', cell: memberName },
    {
      key: 'role',
      label: 'Role',
      cell: (m) => <HiddenLabel label={`Role of ${memberName(m)}`}>{(id) => <Select id={id} value={m.role} options={TEAM_ROLES} onChange={(role) => setRole.run(m.userId, role)} />}</HiddenLabel>,
    },
    {
      key: 'actions',
      label: 'Actions',
      hideLabel: true,
      num: true,
      cell: (m) => (
        <button type="button" className="btn small danger" onClick={() => remove.run(m.userId)}>
          {m.userId === user?.id ? 'Leave' : 'Remove'}
        </button>
      ),
    },
  ];
  const candidates = (users.data?.data ?? []).filter((u) => !list.some((m) => m.userId === u.id)).map((u) => ({ value: u.id, label: u.username }));
  return (
    <div className="stack">
      <p>
        <Link to="/settings/teams">← Teams</Link>
      </p>
      <Panel title={t.name} className="card stack">
        <ActionForm className="row wrap" onSubmit={rename.run}>
          <HiddenLabel label="Team name">{(id) => <input id={id} value={name ?? t.name} onChange={(e) => setName(e.target.value)} maxLength={50} />}</HiddenLabel>
          <button type="submit" className="btn" disabled={rename.busy || name === null}>
            Rename
          </button>
        </ActionForm>
        <FormError error={rename.error} />
        <div className="row wrap">
          <span>Access code:</span>
          <code className="mono">{t.accessCode ?? '–'}</code>
          {t.accessCode && <CopyButton text={t.accessCode} />}
          <button type="button" className="btn small" onClick={() => regenerate.run()} disabled={regenerate.busy}>
            Regenerate
          </button>
        </div>
        <FormError error={regenerate.error} />
      </Panel>
      <Panel title="Members" className="card stack">
        {members.error ? <ErrorBox error={members.error} /> : <DataTable columns={columns} rows={list} rowKey={(m) => m.userId} />}
        <FormError error={setRole.error || remove.error} />
        <ActionForm className="row wrap" aria-label="Add member" onSubmit={add.run}>
          {users.data ? (
            <HiddenLabel label="User">{(id) => <Select id={id} required value={newUser} options={[{ value: '', label: 'Choose a user…' }, ...candidates]} onChange={setNewUser} />}</HiddenLabel>
          ) : (
            <HiddenLabel label="User ID">{(id) => <input id={id} required placeholder="User ID" value={newUser} onChange={(e) => setNewUser(e.target.value)} />}</HiddenLabel>
          )}
          <HiddenLabel label="Role">{(id) => <Select id={id} value={newRole} options={TEAM_ROLES} onChange={setNewRole} />}</HiddenLabel>
          <button type="submit" className="btn" disabled={add.busy}>
            Add member
          </button>
        </ActionForm>
        <FormError error={add.error} />
      </Panel>
      <Panel title="Websites" className="card stack">
        {websites.data?.data.length ? <WebsiteList websites={websites.data.data} /> : <Empty>No websites in this team. Add one from the websites page and choose this team as owner.</Empty>}
      </Panel>
      <section className="card danger-zone">
        <button type="button" className="btn danger" onClick={() => setConfirmDelete(true)}>
          Delete team
        </button>
      </section>
      <Confirm
        open={confirmDelete}
        title="Delete team"
        danger
        confirmLabel="Delete"
        message={<p>Delete team {t.name}? Its websites pass to you.</p>}
        onClose={() => setConfirmDelete(false)}
        onConfirm={async () => {
          await del(`/teams/${teamId}`);
          window.history.back();
        }}
      />
    </div>
  );
}

function WebsitesSettings() {
  const { user } = useAuth();
  const paged = usePaged<Website>(user?.isAdmin ? '/admin/websites' : '/websites', { includeTeams: 'true' });
  const columns: Column<Website>[] = [
    { key: 'name', label: 'Name', cell: (w) => <Link to={`/websites/${w.id}`}>{w.name}</Link> },
    { key: 'domain', label: 'Domain', cell: (w) => w.domain },
    {
      key: 'actions',
      label: 'Actions',
      hideLabel: true,
      num: true,
      cell: (w) => (
        <Link className="btn small" to={`/websites/${w.id}/settings`}>
          Edit
        </Link>
      ),
    },
  ];
  return (
    <Panel title={user?.isAdmin ? 'All websites' : 'Websites'} className="card stack">
      <PagedTable paged={paged} columns={columns} rowKey={(w) => w.id} empty="No websites." />
    </Panel>
  );
}

export default function Settings({ section, id }: { section: string; id?: string }) {
  const { user } = useAuth();
  const sections = [
    { key: 'preferences', label: 'Preferences' },
    { key: 'profile', label: 'Profile' },
    { key: 'websites', label: 'Websites' },
    { key: 'teams', label: 'Teams' },
    { key: 'api-keys', label: 'API keys' },
    ...(user?.isAdmin ? [{ key: 'users', label: 'Users' }] : []),
  ];
  let body;
  if (section === 'preferences') body = <Preferences />;
  else if (section === 'profile') body = <Profile />;
  else if (section === 'users') body = <Users />;
  else if (section === 'teams') body = id ? <TeamDetail teamId={id} /> : <Teams />;
  else if (section === 'websites') body = <WebsitesSettings />;
  else if (section === 'api-keys') body = <ApiKeys />;
  else body = <p>Unknown section.</p>;
  return (
    <div className="page settings-page">
      <h1>Settings</h1>
      <div className="settings-layout">
        <nav aria-label="Settings sections" className="side-nav">
          <ul>
            {sections.map((s) => (
              <li key={s.key}>
                <Link to={`/settings/${s.key}`} aria-current={section === s.key ? 'page' : undefined} className={section === s.key ? 'active' : ''}>
                  {s.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="settings-body">{body}</div>
      </div>
    </div>
  );
}
