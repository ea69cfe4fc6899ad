// The settings page: a side menu of sections, each its own module under ./settings/.
import { useAuth } from '../lib/auth';
import { Link } from '../lib/router';
import ApiKeys from './settings/ApiKeys';
import Preferences from './settings/Preferences';
import Profile from './settings/Profile';
import TeamDetail from './settings/TeamDetail';
import Teams from './settings/Teams';
import Users from './settings/Users';
import WebsitesSettings from './settings/WebsitesSettings';

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
