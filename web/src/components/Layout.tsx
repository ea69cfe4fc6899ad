// The frame around signed-in pages: top navigation, theme switch, account menu.
import { type ReactNode } from 'react';
import { useAuth } from '../lib/auth';
import { Link, navigate, useLocation } from '../lib/router';
import { ThemeToggle } from './ThemeToggle';

export function Logo() {
  return (
    <span className="logo" aria-hidden="true">
      <svg viewBox="0 0 16 16" width="22" height="22">
        <rect width="16" height="16" rx="3" fill="var(--accent)" />
        <path d="M4 11V7M8 11V4M12 11V8" stroke="white" strokeWidth="2" strokeLinecap="round" />
      </svg>
    </span>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { user, logout } = useAuth();
  const { path } = useLocation();
  const nav = [
    { to: '/websites', label: 'Websites' },
    { to: '/settings/preferences', label: 'Settings', active: path.startsWith('/settings') },
  ];
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/websites" className="brand">
          <Logo />
          <span>Dashi</span>
        </Link>
        <nav aria-label="Main">
          <ul>
            {nav.map((n) => {
              const active = n.active ?? path.startsWith(n.to);
              return (
                <li key={n.to}>
                  <Link to={n.to} aria-current={active ? 'page' : undefined} className={active ? 'active' : ''}>
                    {n.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="topbar-end">
          <ThemeToggle />
          <Link to="/settings/profile" className="user-link" title="Profile">
            {user?.username}
          </Link>
          <button
            type="button"
            className="btn small"
            onClick={async () => {
              await logout();
              navigate('/login');
            }}
          >
            Log out
          </button>
        </div>
      </header>
      {user?.isAdmin && user.usesDefaultPassword && (
        <div className="warning-banner" role="alert">
          This admin account still uses the default password <code>umami</code>: anyone can sign in as you.{' '}
          {path === '/settings/profile' ? 'Change it below.' : <Link to="/settings/profile">Change the password now</Link>}
        </div>
      )}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
