// Settings: preferences, profile (password), users (admins), teams and websites.
import { useMemo, useState, type FormEvent } from 'react';
import { del, post, type Paged, type Team, type TeamMember, type User, type Website } from '../lib/api';
import { useAuth } from '../lib/auth';
import { RANGE_OPTIONS, timeZones } from '../lib/dates';
import { getDefaultRange, getTheme, getTimeZone, setDefaultRange, setTheme, setTimeZone, type Theme } from '../lib/prefs';
import { Link } from '../lib/router';
import { useApi } from '../lib/useApi';
import { Pager } from '../components/Pager';
import { Confirm, CopyButton, Empty, ErrorBox, FormError, Loading, Modal, useAction } from '../components/ui';

function Preferences() {
  const [theme, setT] = useState<Theme>(getTheme);
  const [range, setRange] = useState(getDefaultRange);
  const [tz, setTz] = useState(getTimeZone);
  const zones = useMemo(() => timeZones(), []);
  return (
    <section className="card stack" aria-labelledby="prefs-h">
      <h2 id="prefs-h">Preferences</h2>
      <p className="muted small">Kept in this browser.</p>
      <div className="field">
        <label htmlFor="pref-range">Default date range</label>
        <select
          id="pref-range"
          value={range}
          onChange={(e) => {
            setRange(e.target.value);
            setDefaultRange(e.target.value);
          }}
        >
          {RANGE_OPTIONS.filter((o) => o.value !== 'custom').map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="pref-tz">Time zone</label>
        <select
          id="pref-tz"
          value={tz}
          onChange={(e) => {
            setTz(e.target.value);
            setTimeZone(e.target.value);
          }}
        >
          {(zones.includes(tz) ? zones : [tz, ...zones]).map((z) => (
            <option key={z}>{z}</option>
          ))}
        </select>
      </div>
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
    </section>
  );
}

function Profile() {
  const { user } = useAuth();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [done, setDone] = useState(false);
  const action = useAction(async () => {
    if (next !== confirm) throw new Error('The new passwords do not match.');
    if (next.length < 8) throw new Error('The new password must be at least 8 characters.');
    await post('/me/password', { currentPassword: current, newPassword: next });
    setCurrent('');
    setNext('');
    setConfirm('');
    setDone(true);
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    action.run();
  };
  return (
    <section className="card stack" aria-labelledby="profile-h">
      <h2 id="profile-h">Profile</h2>
      <dl className="props">
        <dt>Username</dt>
        <dd>{user?.username}</dd>
        <dt>Role</dt>
        <dd>{user?.role}</dd>
      </dl>
      <form className="stack" onSubmit={submit} aria-label="Change password">
        <h3>Change password</h3>
        <div className="field">
          <label htmlFor="pw-current">Current password</label>
          <input id="pw-current" type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="pw-new">New password</label>
          <input id="pw-new" type="password" autoComplete="new-password" required minLength={8} value={next} onChange={(e) => setNext(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="pw-confirm">Confirm new password</label>
          <input id="pw-confirm" type="password" autoComplete="new-password" required minLength={8} value={confirm} onChange={(e) => setConfirm(e.target.value)} />
        </div>
        <FormError error={action.error} />
        {done && <p role="status">Password changed.</p>}
        <div>
          <button type="submit" className="btn primary" disabled={action.busy}>
            Change password
          </button>
        </div>
      </form>
    </section>
  );
}

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
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        action.run();
      }}
    >
      <div className="field">
        <label htmlFor="user-name">Username</label>
        <input id="user-name" required value={username} onChange={(e) => setUsername(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="user-password">{user ? 'New password (optional)' : 'Password'}</label>
        <input id="user-password" type="password" autoComplete="new-password" required={!user} minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="user-role">Role</label>
        <select id="user-role" value={role} onChange={(e) => setRole(e.target.value)}>
          <option value="admin">Administrator</option>
          <option value="user">User</option>
          <option value="view-only">View only</option>
        </select>
      </div>
      <FormError error={action.error} />
      <div className="row end">
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="btn primary" disabled={action.busy}>
          Save
        </button>
      </div>
    </form>
  );
}

function Users() {
  const { user: me } = useAuth();
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const res = useApi<Paged<User>>('/admin/users', { page, pageSize: 20 }, { keep: true });
  if (!me?.isAdmin) return <ErrorBox error={new Error('Only administrators can manage users.')} title="Not allowed" />;
  return (
    <section className="card stack" aria-labelledby="users-h">
      <div className="panel-head">
        <h2 id="users-h">Users</h2>
        <button type="button" className="btn primary" onClick={() => setEditing('new')}>
          + Add user
        </button>
      </div>
      {res.error ? (
        <ErrorBox error={res.error} retry={res.reload} />
      ) : !res.data ? (
        <Loading />
      ) : (
        <>
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Role</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {res.data.data.map((u) => (
                <tr key={u.id}>
                  <td>{u.username}</td>
                  <td>{u.role}</td>
                  <td className="num actions">
                    <button type="button" className="btn small" onClick={() => setEditing(u)}>
                      Edit
                    </button>
                    {u.id !== me.id && (
                      <button type="button" className="btn small danger" onClick={() => setDeleting(u)}>
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={page} pageSize={20} count={res.data.count} onPage={setPage} />
        </>
      )}
      <Modal title={editing === 'new' ? 'Add user' : 'Edit user'} open={editing !== null} onClose={() => setEditing(null)}>
        {editing !== null && (
          <UserForm
            user={editing === 'new' ? undefined : editing}
            onDone={() => {
              setEditing(null);
              res.reload();
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
          res.reload();
        }}
      />
    </section>
  );
}

function Teams() {
  const res = useApi<Paged<Team>>('/teams', { pageSize: 100 });
  const [name, setName] = useState('');
  const [code, setCode] = useState('');
  const create = useAction(async () => {
    await post('/teams', { name });
    setName('');
    res.reload();
  });
  const join = useAction(async () => {
    await post('/teams/join', { accessCode: code.trim() });
    setCode('');
    res.reload();
  });
  return (
    <div className="stack">
      <section className="card stack" aria-labelledby="teams-h">
        <h2 id="teams-h">Teams</h2>
        {res.error ? (
          <ErrorBox error={res.error} retry={res.reload} />
        ) : !res.data ? (
          <Loading />
        ) : res.data.data.length === 0 ? (
          <Empty>You are not in any team.</Empty>
        ) : (
          <ul className="plain-list">
            {res.data.data.map((t) => (
              <li key={t.id}>
                <Link to={`/settings/teams/${t.id}`}>{t.name}</Link>
              </li>
            ))}
          </ul>
        )}
      </section>
      <div className="grid two">
        <form
          className="card stack"
          aria-label="Create team"
          onSubmit={(e) => {
            e.preventDefault();
            create.run();
          }}
        >
          <h3>Create a team</h3>
          <div className="field">
            <label htmlFor="team-name">Team name</label>
            <input id="team-name" required maxLength={50} value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <FormError error={create.error} />
          <div>
            <button type="submit" className="btn primary" disabled={create.busy}>
              Create team
            </button>
          </div>
        </form>
        <form
          className="card stack"
          aria-label="Join team"
          onSubmit={(e) => {
            e.preventDefault();
            join.run();
          }}
        >
          <h3>Join a team</h3>
          <div className="field">
            <label htmlFor="team-code">Access code</label>
            <input id="team-code" required value={code} onChange={(e) => setCode(e.target.value)} />
          </div>
          <FormError error={join.error} />
          <div>
            <button type="submit" className="btn" disabled={join.busy}>
              Join team
            </button>
          </div>
        </form>
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
  return (
    <div className="stack">
      <p>
        <Link to="/settings/teams">← Teams</Link>
      </p>
      <section className="card stack" aria-labelledby="team-h">
        <h2 id="team-h">{t.name}</h2>
        <form
          className="row wrap"
          onSubmit={(e) => {
            e.preventDefault();
            rename.run();
          }}
        >
          <label className="sr-only" htmlFor="team-rename">
            Team name
          </label>
          <input id="team-rename" value={name ?? t.name} onChange={(e) => setName(e.target.value)} maxLength={50} />
          <button type="submit" className="btn" disabled={rename.busy || name === null}>
            Rename
          </button>
        </form>
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
      </section>
      <section className="card stack" aria-labelledby="members-h">
        <h2 id="members-h">Members</h2>
        {members.error ? (
          <ErrorBox error={members.error} />
        ) : (
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((m) => (
                <tr key={m.userId}>
                  <td>{m.user?.username ?? m.userId}</td>
                  <td>
                    <label className="sr-only" htmlFor={`role-${m.userId}`}>
                      Role of {m.user?.username ?? m.userId}
                    </label>
                    <select id={`role-${m.userId}`} value={m.role} onChange={(e) => setRole.run(m.userId, e.target.value)}>
                      {TEAM_ROLES.map((r) => (
                        <option key={r.value} value={r.value}>
                          {r.label}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="num">
                    <button type="button" className="btn small danger" onClick={() => remove.run(m.userId)}>
                      {m.userId === user?.id ? 'Leave' : 'Remove'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <FormError error={setRole.error || remove.error} />
        <form
          className="row wrap"
          aria-label="Add member"
          onSubmit={(e) => {
            e.preventDefault();
            add.run();
          }}
        >
          {users.data ? (
            <>
              <label className="sr-only" htmlFor="member-user">
                User
              </label>
              <select id="member-user" required value={newUser} onChange={(e) => setNewUser(e.target.value)}>
                <option value="">Choose a user…</option>
                {users.data.data
                  .filter((u) => !list.some((m) => m.userId === u.id))
                  .map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.username}
                    </option>
                  ))}
              </select>
            </>
          ) : (
            <>
              <label className="sr-only" htmlFor="member-user">
                User ID
              </label>
              <input id="member-user" required placeholder="User ID" value={newUser} onChange={(e) => setNewUser(e.target.value)} />
            </>
          )}
          <label className="sr-only" htmlFor="member-role">
            Role
          </label>
          <select id="member-role" value={newRole} onChange={(e) => setNewRole(e.target.value)}>
            {TEAM_ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
          <button type="submit" className="btn" disabled={add.busy}>
            Add member
          </button>
        </form>
        <FormError error={add.error} />
      </section>
      <section className="card stack" aria-labelledby="team-sites-h">
        <h2 id="team-sites-h">Websites</h2>
        {websites.data?.data.length ? (
          <ul className="plain-list">
            {websites.data.data.map((w) => (
              <li key={w.id}>
                <Link to={`/websites/${w.id}`}>{w.name}</Link> <span className="muted">{w.domain}</span>
              </li>
            ))}
          </ul>
        ) : (
          <Empty>No websites in this team. Add one from the websites page and choose this team as owner.</Empty>
        )}
      </section>
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
  const [page, setPage] = useState(1);
  const res = useApi<Paged<Website & { user?: { username: string } }>>(user?.isAdmin ? '/admin/websites' : '/websites', { page, pageSize: 20, includeTeams: 'true' }, { keep: true });
  return (
    <section className="card stack" aria-labelledby="sites-h">
      <h2 id="sites-h">{user?.isAdmin ? 'All websites' : 'Websites'}</h2>
      {res.error ? (
        <ErrorBox error={res.error} retry={res.reload} />
      ) : !res.data ? (
        <Loading />
      ) : res.data.data.length === 0 ? (
        <Empty>No websites.</Empty>
      ) : (
        <>
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Domain</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {res.data.data.map((w) => (
                <tr key={w.id}>
                  <td>
                    <Link to={`/websites/${w.id}`}>{w.name}</Link>
                  </td>
                  <td>{w.domain}</td>
                  <td className="num">
                    <Link className="btn small" to={`/websites/${w.id}/settings`}>
                      Edit
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={page} pageSize={20} count={res.data.count} onPage={setPage} />
        </>
      )}
    </section>
  );
}

export default function Settings({ section, id }: { section: string; id?: string }) {
  const { user } = useAuth();
  const sections = [
    { key: 'preferences', label: 'Preferences' },
    { key: 'profile', label: 'Profile' },
    { key: 'websites', label: 'Websites' },
    { key: 'teams', label: 'Teams' },
    ...(user?.isAdmin ? [{ key: 'users', label: 'Users' }] : []),
  ];
  let body;
  if (section === 'preferences') body = <Preferences />;
  else if (section === 'profile') body = <Profile />;
  else if (section === 'users') body = <Users />;
  else if (section === 'teams') body = id ? <TeamDetail teamId={id} /> : <Teams />;
  else if (section === 'websites') body = <WebsitesSettings />;
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
