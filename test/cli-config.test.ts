/**
 * The config file (lilconfig): found in the working directory or named by --config, its keys the long option
 * names; the command line wins over the environment, which wins over the file; the report records which file was
 * used. Credentials, unknown keys, bad values and files that do not parse end the run at once with exit 2.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_PASSWORD, DEFAULT_USER, startReferenceServer, type RunningReferenceServer } from './reference-server/index.js';
import { closedTarget } from './support/closed-target.js';
import { runCli } from './support/run-cli.js';

const credentials = { ISYM_USER: DEFAULT_USER, ISYM_PASSWORD: DEFAULT_PASSWORD };

/** A fresh working directory holding `files` (name → content). */
async function folderWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'isym-cli-config-'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

let reference: RunningReferenceServer;
beforeAll(async () => {
  reference = await startReferenceServer();
});
afterAll(async () => {
  await reference?.stop();
});

describe('a config file in the working directory', () => {
  test('fills in the options the command line leaves out; the command line wins; the report names the file', async () => {
    const config = {
      target: await closedTarget(),
      seed: 7,
      runs: 5,
      only: ['ADDR-UUID'],
      format: 'json',
      'report-dir': 'out',
    };
    const cwd = await folderWith({ 'isym-conform.config.json': JSON.stringify(config) });
    const { code, stdout, stderr } = await runCli(['--target', reference.baseUrl, '--seed', '9'], credentials, 90_000, cwd);
    expect(code, stderr).toBe(0);
    // The file's report folder (relative to the working directory), rules, runs and format.
    const report = JSON.parse(await readFile(join(cwd, 'out', 'conformance.json'), 'utf8'));
    expect(stdout).toMatch(/report: .*out\/conformance\.json/);
    expect(report.rules.find((rule: { id: string }) => rule.id === 'ADDR-UUID').verdict).toBe('pass');
    expect(report.rules.find((rule: { id: string }) => rule.id === 'ADDR-NAME').verdict).toBe('skip');
    expect(report.options.runs).toBe(5);
    expect(report.options.formats).toEqual(['json']);
    // The command line's target and seed, not the file's.
    expect(report.target.url).toBe(reference.baseUrl);
    expect(report.seed).toBe(9);
    expect(report.options.config).toBe(join(cwd, 'isym-conform.config.json'));
  });

  test('ISYM_TARGET wins over the file', async () => {
    const cwd = await folderWith({ '.isym-conformrc.json': JSON.stringify({ target: reference.baseUrl, only: 'ADDR-UUID', 'report-dir': 'out' }) });
    const closed = await closedTarget();
    const { code, stderr } = await runCli([], { ...credentials, ISYM_TARGET: closed }, 60_000, cwd);
    expect(code).toBe(3);
    expect(stderr).toContain(`Cannot reach the target ${closed}`);
  });

  test('an "isym-conform" key of package.json is read', async () => {
    const cwd = await folderWith({ 'package.json': JSON.stringify({ name: 'pbx-build', 'isym-conform': { 'no-such-option': 1 } }) });
    const { code, stderr } = await runCli(['--embedded'], {}, 30_000, cwd);
    expect(code).toBe(2);
    expect(stderr).toContain(`The config file ${join(cwd, 'package.json')} holds an unknown key "no-such-option".`);
  });

  test('an ES module config file is read, and its values go through the same checks as the options', async () => {
    const cwd = await folderWith({ 'isym-conform.config.mjs': 'export default { only: "ADDR-UUIDD" };\n' });
    const { code, stderr } = await runCli(['--embedded'], {}, 30_000, cwd);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--only "ADDR-UUIDD" names no rule/);
    expect(stderr).not.toMatch(/Embedded reference server|Checking/);
  });
});

describe('a config file that cannot be used: exit 2 before anything starts', () => {
  test.each([
    { key: 'password', value: 'secret' },
    { key: 'user', value: 'manager' },
    { key: 'api-token', value: 'abc' },
  ])('a credential ("$key") is refused, pointing to ISYM_USER / ISYM_PASSWORD', async ({ key, value }) => {
    const cwd = await folderWith({ 'isym-conform.config.json': JSON.stringify({ [key]: value }) });
    const { code, stdout, stderr } = await runCli(['--embedded'], {}, 30_000, cwd);
    expect(code).toBe(2);
    expect(stderr).toContain(`holds "${key}": credentials do not go in a file. Set ISYM_USER and ISYM_PASSWORD (or give --user and --password).`);
    expect(stderr).not.toContain(value);
    expect(stdout).toBe('');
  });

  test('an unknown key is named, with the valid keys', async () => {
    const cwd = await folderWith({ 'isym-conform.config.json': JSON.stringify({ reportDir: 'out' }) });
    const { code, stderr } = await runCli(['--embedded'], {}, 30_000, cwd);
    expect(code).toBe(2);
    expect(stderr).toMatch(/holds an unknown key "reportDir"\. Valid keys \(the long options, without the dashes\): target, embedded, .*report-dir, .*\./);
    // The valid keys name no credential and nothing that is not an option of a run.
    expect(stderr).not.toMatch(/Valid keys.*\b(user|password|config|list-rules|help|version)\b/);
  });

  test('a bad value is refused as the option refuses it', async () => {
    const cwd = await folderWith({ 'isym-conform.config.json': JSON.stringify({ runs: 0 }) });
    const { code, stderr } = await runCli(['--embedded'], {}, 30_000, cwd);
    expect(code).toBe(2);
    expect(stderr).toMatch(/"runs": --runs takes a whole number ≥ 1\./);
    const switchCwd = await folderWith({ 'isym-conform.config.json': JSON.stringify({ strict: 'yes' }) });
    const switchRun = await runCli(['--embedded'], {}, 30_000, switchCwd);
    expect(switchRun.code).toBe(2);
    expect(switchRun.stderr).toMatch(/"strict" is a switch: true or false, not "yes"/);
  });

  test('a file that does not parse is named (found by the search, or given with --config)', async () => {
    const cwd = await folderWith({ '.isym-conformrc': '{ "runs": 5,, }', 'ci.json': '[not json' });
    const searched = await runCli(['--embedded'], {}, 30_000, cwd);
    expect(searched.code).toBe(2);
    expect(searched.stderr).toContain(`The config file ${join(cwd, '.isym-conformrc')} does not parse:`);
    const given = await runCli(['--embedded', '--config', 'ci.json'], {}, 30_000, cwd);
    expect(given.code).toBe(2);
    expect(given.stderr).toContain(`The config file ${join(cwd, 'ci.json')} does not parse:`);
  });

  test('--config naming a missing file says so', async () => {
    const cwd = await folderWith({});
    const { code, stderr } = await runCli(['--embedded', '--config', 'missing.json'], {}, 30_000, cwd);
    expect(code).toBe(2);
    expect(stderr).toMatch(/Cannot read the config file missing\.json: no such file\./);
  });
});
