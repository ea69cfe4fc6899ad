// The report editor's form state and the inputs several report types share.
import type { ReactNode } from 'react';
import { HiddenLabel, Select } from '../../components/ui';

export type Step = { type: string; value: string };
export type Goal = { type: string; value: string; goal: number };

export interface FormState {
  window: number;
  steps: Step[];
  goals: Goal[];
  fields: string[];
  journeySteps: number;
  startStep: string;
  endStep: string;
  currency: string;
  model: string;
}

export const INITIAL: FormState = {
  window: 60,
  steps: [
    { type: 'url', value: '/' },
    { type: 'url', value: '' },
  ],
  goals: [{ type: 'url', value: '/', goal: 10 }],
  fields: ['url'],
  journeySteps: 5,
  startStep: '',
  endStep: '',
  currency: 'USD',
  model: 'firstClick',
};

export function formFromParameters(p: Record<string, unknown>): Partial<FormState> {
  const out: Partial<FormState> = {};
  if (typeof p.window === 'number') out.window = p.window;
  if (Array.isArray(p.steps)) out.steps = p.steps as Step[];
  if (typeof p.steps === 'number') out.journeySteps = p.steps;
  if (Array.isArray(p.goals)) out.goals = p.goals as Goal[];
  if (Array.isArray(p.fields)) out.fields = (p.fields as { name: string }[]).map((x) => x.name);
  if (typeof p.startStep === 'string') out.startStep = p.startStep;
  if (typeof p.endStep === 'string') out.endStep = p.endStep;
  if (typeof p.currency === 'string') out.currency = p.currency;
  if (typeof p.model === 'string') out.model = p.model;
  return out;
}

/** What one report type brings to the editor: its request fields, its form and its result view. */
export interface ReportKind {
  readonly type: string;
  readonly label: string;
  readonly description: string;
  /** The report's own fields of the request body (seed 001's shape), from the form. */
  body?(f: FormState): Record<string, unknown>;
  Form?: (p: { f: FormState; set: (p: Partial<FormState>) => void }) => ReactNode;
  /** A view of the result, or null when it does not have the expected shape (the generic table shows it). */
  Result?: (p: { data: unknown }) => ReactNode;
}

/** The list with item i changed. */
export function update<T>(list: T[], i: number, change: Partial<T>): T[] {
  return list.map((x, j) => (j === i ? { ...x, ...change } : x));
}

const KINDS = [
  { value: 'url', label: 'Page' },
  { value: 'event', label: 'Event' },
];

/** Page or event, for a step or goal. */
export function KindSelect({ label, value, onChange }: { label: string; value: string; onChange: (v: string) => void }) {
  return <HiddenLabel label={label}>{(id) => <Select id={id} value={value} options={KINDS} onChange={onChange} />}</HiddenLabel>;
}

export function RemoveButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <button type="button" className="icon-btn" aria-label={label} onClick={onClick}>
      ×
    </button>
  );
}

export function StepsEditor({ steps, onChange, min = 2, max = 8, single }: { steps: Step[]; onChange: (s: Step[]) => void; min?: number; max?: number; single?: boolean }) {
  const list = single ? steps.slice(0, 1) : steps;
  return (
    <fieldset className="stack">
      <legend>{single ? 'Conversion step' : 'Steps'}</legend>
      {list.map((s, i) => (
        <div className="row" key={i}>
          <KindSelect label={`Step ${i + 1} type`} value={s.type} onChange={(type) => onChange(update(list, i, { type }))} />
          <HiddenLabel label={`Step ${i + 1} value`}>
            {(id) => <input id={id} value={s.value} placeholder={s.type === 'url' ? '/path' : 'event name'} onChange={(e) => onChange(update(list, i, { value: e.target.value }))} />}
          </HiddenLabel>
          {!single && list.length > min && <RemoveButton label={`Remove step ${i + 1}`} onClick={() => onChange(list.filter((_, j) => j !== i))} />}
        </div>
      ))}
      {!single && list.length < max && (
        <button type="button" className="btn small" onClick={() => onChange([...list, { type: 'url', value: '' }])}>
          + Add step
        </button>
      )}
    </fieldset>
  );
}
