// `npm install` / `npm ci` in a clone builds dist/ (the server, tracker and dashboard). A production
// install (`--omit=dev`) has no compiler: it must come from a packed tarball, which carries dist/.
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';

const require = createRequire(import.meta.url);
try {
  require.resolve('typescript/package.json');
} catch {
  console.warn('dashi: dev dependencies are not installed, so dist/ is not built. For a production install use the packed tarball (see README, "Production install").');
  process.exit(0);
}
const result = spawnSync('npm', ['run', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
