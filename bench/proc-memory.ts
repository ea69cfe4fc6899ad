// Memory of a running process from /proc/<pid>/status (Linux): resident now (VmRSS, split into
// anonymous and file-backed pages) and its peak since it started (VmHWM), in MiB.
import fs from 'node:fs';

export interface ProcMemory {
  rssMb: number;
  peakMb: number;
  /** Of rssMb: anonymous memory (heaps, DuckDB's buffers) and file-backed pages (binaries, mapped files). */
  anonMb: number;
  fileMb: number;
}

export function procMemory(pid: number): ProcMemory {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(m[1]);
  };
  return { rssMb: kib('VmRSS') / 1024, peakMb: kib('VmHWM') / 1024, anonMb: kib('RssAnon') / 1024, fileMb: kib('RssFile') / 1024 };
}
