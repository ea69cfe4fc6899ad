// Cost of one rollup merge (not a test). Opens a copy of a data directory (e.g. bench/.data/query,
// 10M events; never the original: the file is written to), and for each size N adds N late hits
// (copies of random stored traffic rows with a new id, moved 7 minutes earlier: they extend
// existing visits and sessions backwards, as a back-fill does) to website_event and
// rollup_pending in a transaction, times each statement of the merge (refreshStatements), and
// rolls back (test/query/rollups.test.ts checks that merged rollups equal a rebuild). With --live,
// the N hits are copies of the data's last N traffic rows moved 20 minutes later, as live traffic
// continues recent visits and sessions.
//
//   node --import tsx bench/merge-cost.ts DIR [--sizes=1000,5000,50000] [--runs=2] [--live] [--explain]
import path from 'node:path';
import os from 'node:os';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { trafficRollups } from '../src/query/rollups/embedded-rollups.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const dir = args.find((a) => !a.startsWith('--'));
if (!dir) throw new Error('usage: merge-cost.ts DIR [--sizes=1000,5000,50000] [--runs=2] [--explain]');
const sizes = (flag('sizes') ?? '1000,5000,50000').split(',').map(Number);
const runs = Number(flag('runs') ?? 2);
const explain = args.includes('--explain');
const live = args.includes('--live');

const instance = await DuckDBInstance.create(path.join(dir, 'dashi.duckdb'));
const c: DuckDBConnection = await instance.connect();
const one = async (text: string) => (await c.runAndReadAll(text)).getRowObjectsJS()[0] as Record<string, unknown>;
const count = async (table: string) => Number((await one(`SELECT count(*) AS n FROM ${table}`)).n);
console.log(['website_event', 'session_slot', 'page_visit', 'visit_rollup'].map(async (t) => `${t} ${await count(t)}`).length && (await Promise.all(['website_event', 'session_slot', 'page_visit', 'visit_rollup'].map(async (t) => `${t} ${await count(t)}`))).join(' | '));
console.log('load average', os.loadavg().map((x) => x.toFixed(2)).join(' '));

const label = (text: string) => text.replace(/\s+/g, ' ').slice(0, 70);
for (const n of sizes) {
  const totals: number[] = [];
  const per = new Map<string, number[]>();
  for (let run = 0; run < runs; run++) {
    await c.run('BEGIN TRANSACTION');
    const traffic = 'SELECT * FROM website_event WHERE event_type IN (1, 3, 4)';
    await c.run(`CREATE OR REPLACE TEMP TABLE late AS ${live ? `${traffic} ORDER BY created_at DESC LIMIT ${n}` : `SELECT * FROM (${traffic}) USING SAMPLE ${n} ROWS`}`);
    await c.run(`UPDATE late SET event_id = uuid(), created_at = created_at ${live ? '+ INTERVAL 20' : '- INTERVAL 7'} MINUTE`);
    await c.run('INSERT INTO website_event SELECT * FROM late');
    await c.run(trafficRollups.pendingInsert('late'));
    const pending = await count('rollup_pending');
    let total = 0;
    for (const { text, params } of trafficRollups.refreshStatements) {
      const t = performance.now();
      if (explain && run === runs - 1 && /^\s*(UPDATE|MERGE|INSERT|DELETE)/i.test(text)) {
        const plan = (await c.runAndReadAll(`EXPLAIN ANALYZE ${text}`, params as never)).getRowObjectsJS();
        console.log(`--- ${label(text)}\n${String(plan[0].explain_value)}`);
      } else await c.run(text, params as never);
      const ms = performance.now() - t;
      total += ms;
      const k = label(text);
      per.set(k, [...(per.get(k) ?? []), ms]);
    }
    totals.push(total);
    await c.run('ROLLBACK');
    if (run === 0) console.log(`N=${n}: ${pending} pending rows`);
  }
  console.log(`N=${n}: merge ms per run ${totals.map((t) => t.toFixed(0)).join(', ')}`);
  for (const [k, ms] of per) console.log(`  ${ms.map((x) => x.toFixed(0).padStart(6)).join(' ')}  ${k}`);
}
c.closeSync();
instance.closeSync();
