// The embedded store's write-ahead journal. A DuckDB commit costs ~20 ms on this kind of machine,
// far too slow to acknowledge hits one small batch at a time; an fdatasync'd append to a plain file
// costs ~0.4-3 ms. So a batch is durable (and acknowledged) once its lines are in the journal, and
// the journal is loaded into DuckDB in large batches, DuckDB reading each closed segment file
// itself. Segments are numbered; the number of the last segment loaded is stored in DuckDB in the
// same transaction as its rows, so a segment found at start is loaded exactly once, whether or not
// the process died half-way.
import fs from 'node:fs';
import path from 'node:path';

const SEGMENT = /^(\d{12})\.ndjson$/;
// Not every platform has O_DSYNC (Windows): there, write then fdatasync.
const { O_APPEND, O_CREAT, O_WRONLY, O_DSYNC } = fs.constants;
const APPEND_DSYNC = O_DSYNC ? O_APPEND | O_CREAT | O_WRONLY | O_DSYNC : null;
const name = (n: number) => `${String(n).padStart(12, '0')}.ndjson`;

export class Journal {
  private fd: fs.promises.FileHandle | null = null;
  /** Bytes in the current segment, all of them whole acknowledged lines. */
  private size = 0;
  current = 0;

  private constructor(readonly dir: string) {}

  /** Opens the journal directory; `after` is the last segment number already loaded. */
  static async open(dir: string, after: number): Promise<{ journal: Journal; leftover: number[] }> {
    fs.mkdirSync(dir, { recursive: true });
    const found = fs
      .readdirSync(dir)
      .map((f) => SEGMENT.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    const journal = new Journal(dir);
    journal.current = Math.max(after, found.at(-1) ?? 0) + 1;
    return { journal, leftover: found };
  }

  file(n: number): string {
    return path.join(this.dir, name(n));
  }

  /**
   * Appends whole lines (text ending with a newline) to the current segment; resolves once they
   * are on disk. The segment is opened O_DSYNC: each write returns only once its data is durable,
   * as write + fdatasync would, in one trip to the thread pool instead of two.
   */
  async append(lines: string): Promise<void> {
    if (this.fd === null) {
      this.fd = await fs.promises.open(this.file(this.current), APPEND_DSYNC ?? 'a');
      this.size = (await this.fd.stat()).size;
    }
    const bytes = Buffer.from(lines);
    try {
      const { bytesWritten } = await this.fd.write(bytes);
      if (bytesWritten !== bytes.length) throw new Error(`journal: short write (${bytesWritten} of ${bytes.length} bytes)`);
      if (APPEND_DSYNC === null) await this.fd.datasync();
    } catch (err) {
      // A failed append is not acknowledged and will be retried: cut off whatever part of it
      // reached the file, or the retry would store those rows twice.
      await this.fd.truncate(this.size).catch(() => undefined);
      throw err;
    }
    this.size += bytes.length;
  }

  /** Closes the current segment and starts the next; returns the closed segment's number. */
  async rotate(): Promise<number> {
    const closed = this.current;
    this.current++;
    const fd = this.fd;
    this.fd = null;
    this.size = 0;
    await fd?.close();
    return closed;
  }

  /** Lines of a segment left by an earlier run. A torn last line was never acknowledged: dropped. */
  read(n: number): string[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file(n), 'utf8');
    } catch {
      return [];
    }
    const end = text.lastIndexOf('\n');
    return end < 0 ? [] : text.slice(0, end).split('\n').filter(Boolean);
  }

  /** Deletes a loaded segment, off the event loop (unlinking a large file takes milliseconds). */
  async remove(n: number): Promise<void> {
    await fs.promises.rm(this.file(n), { force: true });
  }

  async close(): Promise<void> {
    await this.fd?.close();
    this.fd = null;
  }
}
