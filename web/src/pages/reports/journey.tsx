// The Journey report in the editor.
import { formatNumber } from '../../lib/format';
import { Empty, Field, Select } from '../../components/ui';
import type { ReportKind } from './form';

function JourneyResult({ data }: { data: { items: (string | null)[]; count: number }[] }) {
  if (!data.length) return <Empty>No results.</Empty>;
  return (
    <ol className="journeys">
      {data.slice(0, 50).map((j, i) => (
        <li key={i}>
          <span className="journey-path">{j.items.filter(Boolean).join(' → ')}</span> <b>{formatNumber(j.count)}</b>
        </li>
      ))}
    </ol>
  );
}

export const journey: ReportKind = {
  type: 'journey',
  label: 'Journey',
  description: 'The most common paths through your site.',
  body: (f) => ({ steps: f.journeySteps, ...(f.startStep ? { startStep: f.startStep } : {}), ...(f.endStep ? { endStep: f.endStep } : {}) }),
  Form: ({ f, set }) => (
    <>
      <Field label="Steps">{(id) => <Select id={id} value={f.journeySteps} options={['3', '4', '5', '6', '7']} onChange={(v) => set({ journeySteps: Number(v) })} />}</Field>
      <Field label="Start step (optional)">{(id) => <input id={id} value={f.startStep} onChange={(e) => set({ startStep: e.target.value })} />}</Field>
      <Field label="End step (optional)">{(id) => <input id={id} value={f.endStep} onChange={(e) => set({ endStep: e.target.value })} />}</Field>
    </>
  ),
  Result: ({ data }) => (Array.isArray(data) && (data.length === 0 || 'items' in data[0]) ? <JourneyResult data={data} /> : null),
};
