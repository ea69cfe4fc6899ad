// The Attribution report in the editor.
import { Field, Select } from '../../components/ui';
import { StepsEditor, type ReportKind } from './form';

const MODELS = [
  { value: 'firstClick', label: 'First click' },
  { value: 'lastClick', label: 'Last click' },
];

export const attribution: ReportKind = {
  type: 'attribution',
  label: 'Attribution',
  description: 'Which sources lead to a conversion.',
  body: (f) => ({ model: f.model, steps: f.steps.slice(0, 1).filter((s) => s.value) }),
  Form: ({ f, set }) => (
    <>
      <Field label="Model">{(id) => <Select id={id} value={f.model} options={MODELS} onChange={(model) => set({ model })} />}</Field>
      <StepsEditor steps={f.steps} onChange={(steps) => set({ steps })} single />
    </>
  ),
};
