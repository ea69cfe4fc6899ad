/** A UTC instant as the stores' TIMESTAMP text: `2026-01-31 23:59:59.999` (no T, no zone). */
export const sqlTimestamp = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');
