// The UTM report in the editor.
import type { ReportKind } from './form';

export const utm: ReportKind = {
  type: 'utm',
  label: 'UTM',
  description: 'Traffic by campaign parameters.',
};
