// What the MCP server says about itself: the package version, and the README's API and
// Integrations sections (the API reference resource when the server has no OpenAPI document).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export function packageVersion(): string {
  try {
    return String(JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')).version ?? '0.0.0');
  } catch {
    return '0.0.0';
  }
}

/** The `## API` and `## Integrations` sections of README.md. */
export async function readmeApiSection(): Promise<string> {
  let text: string;
  try {
    text = readFileSync(join(projectRoot(), 'README.md'), 'utf8');
  } catch {
    return 'Dashi speaks the Umami API: see https://umami.is/docs/api';
  }
  const sections = text.split(/^(?=## )/m).filter((s) => /^## (API|Integrations)\b/.test(s));
  return sections.length ? sections.join('\n').trim() : text;
}
