/** Where the installed package is, and what it calls itself: the report names the tool and its version. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of the package (where package.json and suites/ are), from source or from dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('isym-conform: cannot find the package root (no package.json above the code).');
    dir = up;
  }
  return dir;
}

/** The tool's name and version, from package.json. */
export async function toolInfo(): Promise<{ name: string; version: string }> {
  const pkg = JSON.parse(await readFile(join(packageRoot(), 'package.json'), 'utf8')) as { name: string; version: string };
  return { name: pkg.name, version: pkg.version };
}
