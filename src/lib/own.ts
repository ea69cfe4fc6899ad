// Look-ups keyed by client input. A plain object literal also answers `constructor`, `__proto__`,
// `toString`, ... from Object.prototype; these only answer the table's own keys.

/** `table[key]` when `key` is one of the table's own keys, else undefined. */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
