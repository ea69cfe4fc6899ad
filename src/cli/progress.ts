// A progress bar on stderr for long copies (migrate-store, import); off a terminal, a line every 100 steps.
export function progressBar(done: number, total: number, label: string): void {
  if (!process.stderr.isTTY && done !== total && done % 100 !== 0) return;
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  const pct = total ? Math.floor((done / total) * 100) : 100;
  process.stderr.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${pct}% ${done}/${total} ${label.padEnd(24)}`);
  if (done === total) process.stderr.write('\n');
}
