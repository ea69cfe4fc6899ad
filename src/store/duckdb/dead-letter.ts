// Journal lines DuckDB refused (a line that is not the JSON of a row, a value it cannot hold),
// set aside so they never block the segment they came in, or the segments after it. One file per
// segment, DATA_DIR/dead-letter/<segment>.ndjson, holding the refused lines as they were; written
// before the segment's load commits and replaced whole, so a load that is repeated after a crash
// writes the same file again rather than a second copy.
import fs from 'node:fs';
import path from 'node:path';

/** Its directory, beside the journal in DATA_DIR. */
export const DEAD_LETTER_DIR = 'dead-letter';
const FILE = /^(\d{12})\.ndjson$/;

export interface DeadLetterStats {
  /** Refused lines kept under `dir`. */
  lines: number;
  /** Segments that had at least one. */
  segments: number;
  dir: string;
}

export class DeadLetters {
  private readonly counts = new Map<number, number>();

  constructor(readonly dir: string) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return; // none yet
    }
    for (const name of names) {
      const m = FILE.exec(name);
      if (!m) continue;
      const text = fs.readFileSync(path.join(dir, name), 'utf8');
      this.counts.set(Number(m[1]), text.split('\n').filter(Boolean).length);
    }
  }

  /** Durably keeps `lines` as the refused lines of segment `n` (replacing an earlier attempt's). */
  async keep(n: number, lines: string[]): Promise<string> {
    await fs.promises.mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, `${String(n).padStart(12, '0')}.ndjson`);
    const tmp = `${file}.tmp`;
    const fd = await fs.promises.open(tmp, 'w');
    try {
      await fd.write(lines.map((l) => `${l}\n`).join(''));
      await fd.sync();
    } finally {
      await fd.close();
    }
    await fs.promises.rename(tmp, file);
    const dirFd = await fs.promises.open(this.dir, 'r').catch(() => null); // not every platform syncs a directory
    await dirFd?.sync().catch(() => undefined);
    await dirFd?.close();
    this.counts.set(n, lines.length);
    return file;
  }

  stats(): DeadLetterStats {
    let lines = 0;
    for (const n of this.counts.values()) lines += n;
    return { lines, segments: this.counts.size, dir: this.dir };
  }
}
