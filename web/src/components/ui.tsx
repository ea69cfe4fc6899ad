// Small shared pieces: loading/empty/error states, panels, modal dialog, form fields, search box,
// select, copy button.
import { useEffect, useId, useRef, useState, type FormHTMLAttributes, type ReactNode, type Ref } from 'react';
import { ApiError } from '../lib/api';
import type { Loaded } from '../lib/useApi';

export function Loading({ label = 'Loading…', inline }: { label?: string; inline?: boolean }) {
  return (
    <div className={inline ? 'loading inline' : 'loading'} role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span className={inline ? 'sr-only' : ''}>{label}</span>
    </div>
  );
}

export function Empty({ children = 'No data for this period.' }: { children?: ReactNode }) {
  return <div className="empty">{children}</div>;
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 404 && /Route /.test(error.message)) return `This feature is not available on this server yet (${error.message}).`;
    return error.message;
  }
  return (error as Error)?.message ?? String(error);
}

export function ErrorBox({ error, retry, title = 'Something went wrong' }: { error: unknown; retry?: () => void; title?: string }) {
  return (
    <div className="error-box" role="alert">
      <strong>{title}</strong>
      <p>{errorText(error)}</p>
      {retry && (
        <button type="button" className="btn" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** What a useApi result shows: its error (with retry), a spinner, an empty note, or the data. */
export function Fetched<T>({ res, children, isEmpty, empty, errorTitle }: { res: Loaded<T>; children: (data: T) => ReactNode; isEmpty?: (data: T) => boolean; empty?: ReactNode; errorTitle?: string }) {
  if (res.error) return <ErrorBox error={res.error} retry={res.reload} title={errorTitle} />;
  if (res.data === undefined || res.data === null) return <Loading />;
  if (isEmpty?.(res.data)) return <Empty>{empty}</Empty>;
  return <>{children(res.data)}</>;
}

/** A titled card: a region named by its heading (or by `label`), with actions beside the heading. */
export function Panel({ title, label, className = 'card', actions, children }: { title: ReactNode; label?: string; className?: string; actions?: ReactNode; children?: ReactNode }) {
  const id = useId();
  return (
    <section className={className} aria-label={label} aria-labelledby={label ? undefined : id}>
      <header className="panel-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

/** A control labelled for screen readers only (in rows of controls). */
export function HiddenLabel({ label, children, id: fixedId }: { label: string; children: (id: string) => ReactNode; id?: string }) {
  const autoId = useId();
  const id = fixedId ?? autoId;
  return (
    <>
      <label className="sr-only" htmlFor={id}>
        {label}
      </label>
      {children(id)}
    </>
  );
}

/** A search input labelled for screen readers. */
export function SearchBox({ label, value, onChange, placeholder = 'Search', inputRef }: { label: string; value: string; onChange: (v: string) => void; placeholder?: string; inputRef?: Ref<HTMLInputElement> }) {
  return <HiddenLabel label={label}>{(id) => <input id={id} ref={inputRef} type="search" placeholder={placeholder} value={value} onChange={(e) => onChange(e.target.value)} />}</HiddenLabel>;
}

/** Label and value pairs; pairs without a value are left out. */
export function Props({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="props">
      {items
        .filter(([, v]) => v !== undefined && v !== null && v !== '')
        .map(([k, v]) => (
          <div key={k} className="prop-row">
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
    </dl>
  );
}

export interface Option {
  value: string;
  label: string;
}

/** A select over a list of options. */
export function Select({ id, value, options, onChange, required }: { id?: string; value: string | number; options: readonly (Option | string)[]; onChange: (v: string) => void; required?: boolean }) {
  return (
    <select id={id} value={value} required={required} onChange={(e) => onChange(e.target.value)}>
      {options.map((o) => {
        const opt = typeof o === 'string' ? { value: o, label: o } : o;
        return (
          <option key={opt.value} value={opt.value}>
            {opt.label}
          </option>
        );
      })}
    </select>
  );
}

export function Modal({ title, open, onClose, children, wide }: { title: string; open: boolean; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={wide ? 'modal wide' : 'modal'}
      aria-labelledby={titleId}
      onClose={onClose}
      onClick={(e) => {
        if (e.target === ref.current) onClose();
      }}
    >
      {open && (
        <div className="modal-body">
          <header className="modal-head">
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="icon-btn" aria-label="Close" onClick={onClose}>
              ×
            </button>
          </header>
          {children}
        </div>
      )}
    </dialog>
  );
}

export function Field({ label, children, hint }: { label: string; children: (id: string) => ReactNode; hint?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {hint && <small className="hint">{hint}</small>}
    </div>
  );
}

/** A form that runs onSubmit instead of reloading the page. */
export function ActionForm({ onSubmit, ...rest }: Omit<FormHTMLAttributes<HTMLFormElement>, 'onSubmit'> & { onSubmit: () => unknown }) {
  return (
    <form
      {...rest}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    />
  );
}

/** A form's closing row: Cancel (when there is onCancel) and the submit button. */
export function FormButtons({ submit, onCancel, busy }: { submit: string; onCancel?: () => void; busy?: boolean }) {
  return (
    <div className="row end">
      {onCancel && (
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      )}
      <button type="submit" className="btn primary" disabled={busy}>
        {submit}
      </button>
    </div>
  );
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const ta = document.createElement('textarea');
      ta.value = text;
      document.body.appendChild(ta);
      ta.select();
      document.execCommand('copy');
      ta.remove();
    }
    setDone(true);
    setTimeout(() => setDone(false), 1500);
  };
  return (
    <button type="button" className="btn" onClick={copy} aria-live="polite">
      {done ? 'Copied' : label}
    </button>
  );
}

/** A submit handler wrapper: busy state and error message for forms. */
export function useAction<A extends unknown[]>(fn: (...args: A) => Promise<unknown>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      await fn(...args);
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error, setError };
}

export function FormError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="form-error" role="alert">
      {errorText(error)}
    </p>
  );
}

export function Confirm({
  open,
  title,
  message,
  confirmLabel,
  onConfirm,
  onClose,
  danger,
}: {
  open: boolean;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
  danger?: boolean;
}) {
  const action = useAction(onConfirm);
  return (
    <Modal title={title} open={open} onClose={onClose}>
      <div className="stack">
        <div>{message}</div>
        <FormError error={action.error} />
        <div className="row end">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className={danger ? 'btn danger' : 'btn primary'}
            disabled={action.busy}
            onClick={async () => {
              if (await action.run()) onClose();
            }}
          >
            {confirmLabel}
          </button>
        </div>
      </div>
    </Modal>
  );
}
