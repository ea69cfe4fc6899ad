/**
 * A small bounded map that forgets the least recently used key once full. Entries sit in a
 * doubly linked list, youngest first: a hit moves its entry to the front by relinking it, which
 * costs far less than deleting and re-inserting the key in the Map (the hot path does ~6 lookups
 * per hit in maps of tens of thousands of keys).
 */
interface Entry<K, V> {
  key: K;
  value: V;
  newer: Entry<K, V> | null;
  older: Entry<K, V> | null;
}

export class Lru<K, V> {
  private readonly map = new Map<K, Entry<K, V>>();
  private youngest: Entry<K, V> | null = null;
  private oldest: Entry<K, V> | null = null;

  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    this.touch(entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    const entry = this.map.get(key);
    if (entry !== undefined) {
      entry.value = value;
      this.touch(entry);
      return;
    }
    if (this.map.size >= this.max && this.oldest) this.delete(this.oldest.key);
    const fresh: Entry<K, V> = { key, value, newer: null, older: this.youngest };
    if (this.youngest) this.youngest.newer = fresh;
    this.youngest = fresh;
    this.oldest ??= fresh;
    this.map.set(key, fresh);
  }

  delete(key: K): void {
    const entry = this.map.get(key);
    if (entry === undefined) return;
    this.map.delete(key);
    this.unlink(entry);
  }

  get size(): number {
    return this.map.size;
  }

  /** Moves an entry to the young end. */
  private touch(entry: Entry<K, V>): void {
    if (entry === this.youngest) return;
    this.unlink(entry);
    entry.older = this.youngest;
    entry.newer = null;
    if (this.youngest) this.youngest.newer = entry;
    this.youngest = entry;
    this.oldest ??= entry;
  }

  private unlink(entry: Entry<K, V>): void {
    if (entry.newer) entry.newer.older = entry.older;
    else this.youngest = entry.older;
    if (entry.older) entry.older.newer = entry.newer;
    else this.oldest = entry.newer;
    entry.newer = null;
    entry.older = null;
  }
}
