// Accessible tabs: arrow keys move between tabs (WAI-ARIA tabs pattern).
import { useId, useRef, type KeyboardEvent, type ReactNode } from 'react';

export function Tabs({ tabs, value, onChange, label, children }: { tabs: { key: string; label: string }[]; value: string; onChange: (k: string) => void; label: string; children?: ReactNode }) {
  const id = useId();
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (e: KeyboardEvent, i: number) => {
    let n = -1;
    if (e.key === 'ArrowRight') n = (i + 1) % tabs.length;
    if (e.key === 'ArrowLeft') n = (i - 1 + tabs.length) % tabs.length;
    if (e.key === 'Home') n = 0;
    if (e.key === 'End') n = tabs.length - 1;
    if (n >= 0) {
      e.preventDefault();
      onChange(tabs[n].key);
      refs.current[n]?.focus();
    }
  };
  return (
    <>
      <div role="tablist" aria-label={label} className="tabs">
        {tabs.map((t, i) => (
          <button
            key={t.key}
            ref={(el) => {
              refs.current[i] = el;
            }}
            role="tab"
            type="button"
            id={`${id}-${t.key}`}
            aria-selected={t.key === value}
            aria-controls={children !== undefined ? `${id}-panel` : undefined}
            tabIndex={t.key === value ? 0 : -1}
            className={t.key === value ? 'tab active' : 'tab'}
            onClick={() => onChange(t.key)}
            onKeyDown={(e) => onKey(e, i)}
          >
            {t.label}
          </button>
        ))}
      </div>
      {children !== undefined && (
        <div role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-${value}`}>
          {children}
        </div>
      )}
    </>
  );
}
