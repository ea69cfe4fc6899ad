import { useState } from 'react';
import { getTheme, setTheme, type Theme } from '../lib/prefs';

export function ThemeToggle() {
  const [theme, set] = useState<Theme>(getTheme);
  const next: Theme = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="icon-btn"
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
      onClick={() => {
        setTheme(next);
        set(next);
      }}
    >
      {theme === 'dark' ? '☀' : '☾'}
    </button>
  );
}
