// Settings › Teams › one team: its name, access code, members and their roles, websites.
import { useState } from 'react';
import { del, post, type Paged, type Team, type TeamMember, type User, type Website } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import { Link } from '../../lib/router';
import { useApi } from '../../lib/useApi';
import { DataTable, type Column } from '../../components/DataTable';
import { ActionForm, Confirm, CopyButton, Empty, ErrorBox, FormError, HiddenLabel, Loading, Panel, Select, useAction } from '../../components/ui';
import { WebsiteList } from './shared';

const TEAM_ROLES = [
  { value: 'team-owner', label: 'Owner' },
  { value: 'team-manager', label: 'Manager' },
  { value: 'team-member', label: 'Member' },
  { value: 'team-view-only', label: 'View only' },
];

export default function TeamDetail({ teamId }: { teamId: string }) {
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
