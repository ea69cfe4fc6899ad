// Sessions by weekday and hour (/sessions/weekly: 7 rows, Sunday first, 24 columns).
import { formatNumber } from '../lib/format';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function Heatmap({ data }: { data: number[][] }) {
  const max = Math.max(1, ...data.flat());
  // Monday first reads more naturally for most people.
  const order = [1, 2, 3, 4, 5, 6, 0];
  return (
    <div className="heatmap-wrap">
      <table className="heatmap">
        <caption className="sr-only">Sessions by day of week and hour</caption>
        <thead>
          <tr>
            <th scope="col">
              <span className="sr-only">Day</span>
            </th>
            {Array.from({ length: 24 }, (_, h) => (
              <th scope="col" key={h}>
                {h % 3 === 0 ? h : <span className="sr-only">{h}</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {order.map((d) => (
            <tr key={d}>
              <th scope="row">{DAYS[d]}</th>
              {Array.from({ length: 24 }, (_, h) => {
                const v = Number(data[d]?.[h] ?? 0);
                return (
                  <td key={h} title={`${DAYS[d]} ${h}:00 – ${formatNumber(v)} sessions`} style={{ ['--heat' as string]: v ? 0.15 + 0.85 * (v / max) : 0 }}>
                    <span className="sr-only">{formatNumber(v)}</span>
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
