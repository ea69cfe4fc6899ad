// Settings › Websites: the caller's websites, with links to each one's settings.
import { type Website } from '../../lib/api';
import { useAuth } from '../../lib/auth';
import { Link } from '../../lib/router';
import { PagedTable, usePaged, type Column } from '../../components/DataTable';
import { Panel } from '../../components/ui';

export default function WebsitesSettings() {
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
