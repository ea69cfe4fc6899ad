// Settings › Teams: the caller's teams, creating one and joining one with an access code.
import { post, type Paged, type Team } from '../../lib/api';
import { Link } from '../../lib/router';
import { useApi } from '../../lib/useApi';
import { Fetched, Panel } from '../../components/ui';
import { OneFieldForm } from './shared';

export default function Teams() {
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
