// Preferences kept in this browser: theme, default date range, time zone.
import { localTimeZone } from './dates';

const read = (k: string) => {
  try {
    return localStorage.getItem(k);
  } catch {
    return null;
  }
};
const write = (k: string, v: string | null) => {
  try {
    if (v === null) localStorage.removeItem(k);
    else localStorage.setItem(k, v);
  } catch {
    // ignore
  }
};

export type Theme = 'light' | 'dark';

export const getTheme = (): Theme => (document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light');
export function setTheme(t: Theme): void {
  document.documentElement.dataset.theme = t;
  write('dashi.theme', t);
  window.dispatchEvent(new Event('dashi:theme'));
}

export const getDefaultRange = () => read('dashi.range') || '7d';
export const setDefaultRange = (v: string) => write('dashi.range', v);

export const getTimeZone = () => read('dashi.timezone') || localTimeZone();
export const setTimeZone = (tz: string | null) => write('dashi.timezone', tz);
