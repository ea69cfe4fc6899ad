import { useState, type FormEvent } from 'react';
import { useAuth } from '../lib/auth';
import { navigate, useLocation } from '../lib/router';
import { Logo } from '../components/Layout';
import { FormError, useAction } from '../components/ui';
import { ThemeToggle } from '../components/ThemeToggle';

export function Login() {
  const { login, user } = useAuth();
  const loc = useLocation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const next = loc.search.get('next');
  const target = next && next.startsWith('/') && !next.startsWith('//') ? next : '/websites';
  const action = useAction(async () => {
    await login(username, password);
    navigate(target, { replace: true });
  });
  if (user) {
    queueMicrotask(() => navigate(target, { replace: true }));
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    action.run();
  };
  return (
    <div className="login-page">
      <div className="login-theme">
        <ThemeToggle />
      </div>
      <main className="login-card">
        <h1>
          <Logo /> Dashi
        </h1>
        <form onSubmit={submit} className="stack" aria-label="Log in">
          <div className="field">
            <label htmlFor="username">Username</label>
            <input id="username" name="username" autoComplete="username" autoFocus required value={username} onChange={(e) => setUsername(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="password">Password</label>
            <input id="password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          </div>
          <FormError error={action.error} />
          <button type="submit" className="btn primary" disabled={action.busy}>
            {action.busy ? 'Logging in…' : 'Log in'}
          </button>
        </form>
      </main>
    </div>
  );
}
