// The Retention report in the editor.
import { formatNumber, formatPercent } from '../../lib/format';
import { Empty } from '../../components/ui';
import type { ReportKind } from './form';

function RetentionResult({ data }: { data: { date: string; day: number; visitors: number; returnVisitors: number; percentage: number }[] }) {
  if (!data.length) return <Empty>No results.</Empty>;
  const dates = [...new Set(data.map((r) => r.date))];
  const days = [...new Set(data.map((r) => r.day))].sort((a, b) => a - b).slice(0, 32);
  const at = new Map(data.map((r) => [`${r.date}|${r.day}`, r]));
  return (
    <div className="table-scroll">
      <table className="data-table retention">
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col" className="num">
              Visitors
            </th>
            {days.map((d) => (
              <th scope="col" key={d} className="num">
                Day {d}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {dates.map((date) => (
            <tr key={date}>
              <th scope="row">{String(date).slice(0, 10)}</th>
              <td className="num">{formatNumber(data.find((r) => r.date === date)?.visitors ?? 0)}</td>
              {days.map((d) => {
                const r = at.get(`${date}|${d}`);
                const pct = r ? Number(r.percentage) / (Number(r.percentage) > 1 ? 100 : 1) : 0;
                return (
                  <td key={d} className="num heat-cell" style={{ ['--heat' as string]: pct }}>
                    {r ? formatPercent(pct) : ''}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export const retention: ReportKind = {
  type: 'retention',
  label: 'Retention',
  description: 'How many visitors come back, day by day.',
  Result: ({ data }) => (Array.isArray(data) && (data.length === 0 || 'day' in data[0]) ? <RetentionResult data={data} /> : null),
};
