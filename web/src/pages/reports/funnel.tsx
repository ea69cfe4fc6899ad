// The Funnel report in the editor.
import { formatNumber, formatPercent } from '../../lib/format';
import { Empty, Field } from '../../components/ui';
import { StepsEditor, type ReportKind } from './form';

function FunnelResult({ data }: { data: Record<string, any>[] }) {
  if (!data.length) return <Empty>No results.</Empty>;
  const first = Number(data[0].visitors ?? data[0].y ?? 0) || 1;
  return (
    <ol className="funnel">
      {data.map((s, i) => {
        const visitors = Number(s.visitors ?? s.y ?? 0);
        return (
          <li key={i}>
            <div className="funnel-label">
              <span className="step-no">{i + 1}</span> {s.type === 'event' ? 'Event' : 'Page'} <b>{s.value ?? s.x}</b>
            </div>
            <div className="bar" style={{ ['--share' as string]: `${(visitors / first) * 100}%` }}>
              <span>
                {formatNumber(visitors)} visitors · {formatPercent(visitors / first)}
              </span>
            </div>
            {i > 0 && s.dropped !== undefined && (
              <div className="muted small">
                {formatNumber(Number(s.dropped))} dropped ({formatPercent(Number(s.dropoff ?? 0))})
              </div>
            )}
          </li>
        );
      })}
    </ol>
  );
}

export const funnel: ReportKind = {
  type: 'funnel',
  label: 'Funnel',
  description: 'How many visitors go through a sequence of pages or events.',
  body: (f) => ({ window: f.window, steps: f.steps.filter((s) => s.value) }),
  Form: ({ f, set }) => (
    <>
      <Field label="Window (minutes)">{(id) => <input id={id} type="number" min={1} value={f.window} onChange={(e) => set({ window: Number(e.target.value) })} />}</Field>
      <StepsEditor steps={f.steps} onChange={(steps) => set({ steps })} />
    </>
  ),
  Result: ({ data }) => (Array.isArray(data) ? <FunnelResult data={data} /> : null),
};
