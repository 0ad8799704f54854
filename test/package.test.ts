/**
 * The package as a user installs it: `npm pack` holds only what runs (compiled code without maps, the contract and
 * its schema, the report schema, the built reference server, README and LICENSE), and the tarball installed into an
 * empty folder checks the embedded reference server.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { root } from './support/run-cli.js';

const run = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let tarball: string;
let packed: string[];

beforeAll(async () => {
  const destination = await mkdtemp(join(tmpdir(), 'isym-pack-'));
  // npm pack runs `prepare` (the build) first, so the tarball holds the code as it is now.
  const { stdout } = await run(npm, ['pack', '--json', '--pack-destination', destination], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  const [result] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  tarball = join(destination, result.filename);
  packed = result.files.map((file) => file.path);
}, 180_000);

describe('npm pack', () => {
  test('holds only what runs', () => {
    for (const needed of [
      'package.json',
      'README.md',
      'LICENSE',
      'dist/bin/isym-conform.js',
      'dist/suites/runner/run-conformance.js',
      'dist/suites/live.suite.js',
      'dist/test/reference-server/index.js',
      'contracts/isymphony-live.yaml',
      'contracts/extensions.schema.json',
      'reporters/conformance-report.schema.json',
      // The spec the reports cite: a vendor reads the rule it failed without a checkout.
      'contracts/spec/LIVE-API.md',
      'contracts/spec/RULES.md',
    ]) {
      expect(packed).toContain(needed);
    }
    const unwanted = packed.filter(
      (path) =>
        path.endsWith('.map') ||
        path.endsWith('.test.js') ||
        (path.endsWith('.ts') && !path.endsWith('.d.ts')) ||
        /(^|\/)(__snapshots__|fixtures|bench|\.ci)\//.test(path) ||
        (path.startsWith('test/') || (path.startsWith('dist/test/') && !path.startsWith('dist/test/reference-server/'))),
    );
    expect(unwanted).toEqual([]);
  });

  test('installed into an empty folder, `npx isym-conform --embedded` checks the reference server and writes the report', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'isym-install-'));
    await writeFile(join(folder, 'package.json'), '{ "private": true }\n');
    await run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: folder, maxBuffer: 16 * 1024 * 1024, timeout: 150_000 });
    const { stdout, stderr } = await run('npx', ['--no-install', 'isym-conform', '--embedded', '--only', 'ADDR-UUID', '--runs', '5', '--report-dir', 'X'], {
      cwd: folder,
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 90_000,
    });
    // execFile rejects on a non-zero exit: reaching here is exit 0.
    // The verdict on stdout, the progress on stderr.
    expect(stdout).toMatch(/^CONFORMANT/m);
    expect(stderr).toMatch(/^Checking /m);
    expect(existsSync(join(folder, 'X', 'conformance.json'))).toBe(true);
    const report = JSON.parse(await readFile(join(folder, 'X', 'conformance.json'), 'utf8'));
    expect(report.rules.find((rule: { id: string }) => rule.id === 'ADDR-UUID').verdict).toBe('pass');
  }, 240_000);
});
