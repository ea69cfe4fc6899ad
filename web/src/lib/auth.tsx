// The signed-in user: token in localStorage, checked with /api/auth/verify on load.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { getToken, post, setToken, setUnauthorizedHandler, type User } from './api';
import { clearCache } from './useApi';

interface AuthState {
  user: User | null;
  checking: boolean;
  login: (username: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
  /** Reload the user (after a change to the account, e.g. its password). */
  refresh: () => Promise<void>;
}

const AuthContext = createContext<AuthState>({ user: null, checking: false, login: async () => {}, logout: async () => {}, refresh: async () => {} });

export function AuthProvider({ children, enabled }: { children: ReactNode; enabled: boolean }) {
  const [user, setUser] = useState<User | null>(null);
  const [checking, setChecking] = useState(enabled && !!getToken());

  useEffect(() => {
    if (!enabled) return;
    setUnauthorizedHandler(() => {
      setToken(null);
      setUser(null);
    });
    if (!getToken()) return;
    post<User>('/auth/verify')
      .then(setUser, () => setToken(null))
      .finally(() => setChecking(false));
    return () => setUnauthorizedHandler(null);
  }, [enabled]);

  const login = useCallback(async (username: string, password: string) => {
    const res = await post<{ token: string; user: User }>('/auth/login', { username, password });
    setToken(res.token);
    clearCache();
    setUser(res.user);
  }, []);

  const logout = useCallback(async () => {
    try {
      await post('/auth/logout');
    } catch {
      // the token is dropped either way
    }
    setToken(null);
    clearCache();
    setUser(null);
  }, []);

  const refresh = useCallback(async () => {
    setUser(await post<User>('/auth/verify'));
  }, []);

  return <AuthContext.Provider value={{ user, checking, login, logout, refresh }}>{children}</AuthContext.Provider>;
}

export const useAuth = () => useContext(AuthContext);
