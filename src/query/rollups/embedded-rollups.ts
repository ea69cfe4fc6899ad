// The embedded store's traffic rollups as one declared whole: their upkeep on load, rebuild, cut
// at a retention boundary and patch after a purge. The composition root hands this to the
// DuckDB store (src/store/duckdb/analytics.ts), which runs the statements in its transactions.
import type { RollupMaintenance } from '../../store/types.js';
import { patchStatements, PURGED } from './traffic-patch.js';
import { trimmable, trimStatements } from './traffic-trim.js';
import { buildStatements, PAGE_COLUMNS, pendingInsert, refreshStatements, SLOT_ATTRIBUTES, SLOT_MS, VISIT_ATTRIBUTES } from './traffic-maintenance.js';

export const trafficRollups: RollupMaintenance = {
  slotMs: SLOT_MS,
  attributes: SLOT_ATTRIBUTES,
  pageColumns: PAGE_COLUMNS,
  visitAttributes: VISIT_ATTRIBUTES,
  pendingInsert,
  refreshStatements,
  buildStatements,
  trimmable,
  trimStatements,
  purgedTable: PURGED,
  patchStatements,
};
