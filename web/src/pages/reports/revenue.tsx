// The Revenue report in the editor.
import { Field } from '../../components/ui';
import type { ReportKind } from './form';

export const revenue: ReportKind = {
  type: 'revenue',
  label: 'Revenue',
  description: 'Revenue from events carrying a currency and amount.',
  body: (f) => ({ currency: f.currency }),
  Form: ({ f, set }) => (
    <Field label="Currency">{(id) => <input id={id} value={f.currency} maxLength={3} onChange={(e) => set({ currency: e.target.value.toUpperCase() })} />}</Field>
  ),
};
