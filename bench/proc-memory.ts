// Memory of a running process from /proc/<pid>/status (Linux): resident now (VmRSS) and its peak
// since it started (VmHWM), in MiB.
import fs from 'node:fs';

export interface ProcMemory {
  rssMb: number;
  peakMb: number;
}

export function procMemory(pid: number): ProcMemory {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(m[1]);
  };
  return { rssMb: kib('VmRSS') / 1024, peakMb: kib('VmHWM') / 1024 };
}
