/**
 * The CLI as a user meets it: spawned as a process, with its exit codes 0/1/2/3, its messages, and its reports.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { defaultContractPath } from '../contracts/load-contract.js';

const root = join(import.meta.dirname, '..');

/** Runs the CLI from source (tsx), with a time bound; resolves with its exit code and output. */
function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bin/isym-conform.ts'), ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('isym-conform', () => {
  test('--help lists the interface options and the exit codes', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const option of ['--target', '--embedded', '--user', '--password', '--contract', '--core-server', '--report-dir', '--format', '--seed', '--runs', '--only', '--skip', '--strict', '--embedded-liberal']) {
      expect(stdout).toContain(option);
    }
    expect(stdout).toMatch(/Exit codes: 0/);
  });

  test('without --target or --embedded it says what to give and exits 2', async () => {
    const { code, stderr } = await runCli([]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/give either --target URL or --embedded/);
  });

  test('an unknown option exits 2', async () => {
    const { code, stderr } = await runCli(['--embeded']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown option/);
  });

  test('a target that is not there: it says so and exits 3', async () => {
    const port = await closedPort();
    const reportDir = await mkdtemp(join(tmpdir(), 'isym-cli-'));
    const { code, stderr } = await runCli(['--target', `http://127.0.0.1:${port}/communication_manager/rest/live`, '--report-dir', reportDir]);
    expect(code).toBe(3);
    expect(stderr).toMatch(/Cannot reach the target .*ECONNREFUSED/);
  });

  test('a contract with an error: it names the place and exits 2', async () => {
    const broken = (await readFile(defaultContractPath, 'utf8')).replace('x-resource: Queue', 'x-resource: Cue');
    const file = join(await mkdtemp(join(tmpdir(), 'isym-cli-')), 'broken.yaml');
    await writeFile(file, broken);
    const { code, stderr } = await runCli(['--embedded', '--contract', file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/Invalid contract .*#\/paths\/~1coreServers~1\{coreServerId\}~1queues~1\{queueId\}.*x-resource "Cue"/);
  });

  test('--embedded on the reference server exits 0 and writes a report that passes the selected rules', async () => {
    const reportDir = await mkdtemp(join(tmpdir(), 'isym-cli-'));
    const { code, stdout, stderr } = await runCli(['--embedded', '--seed', '3', '--runs', '20', '--only', 'ADDR-UUID,SCHEMA-RESPONSE', '--format', 'json', '--report-dir', reportDir]);
    // The result on stdout (`> result.txt` keeps it), the progress on stderr (a CI log shows it).
    expect(stdout).toMatch(/^CONFORMANT: /m);
    expect(stdout).toMatch(/report: .*conformance\.json/);
    expect(stdout).not.toMatch(/^(Checking|addressing +\d+ rule)/m);
    expect(stderr).toMatch(/^Checking http:/m);
    expect(stderr).toMatch(/^addressing +\d+ rule\(s\): /m);
    expect(stderr).not.toMatch(/CONFORMANT|report: /);
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(join(reportDir, 'conformance.json'), 'utf8'));
    const verdicts = Object.fromEntries(report.rules.map((rule: { id: string; verdict: string }) => [rule.id, rule.verdict]));
    expect(verdicts['ADDR-UUID']).toBe('pass');
    expect(verdicts['SCHEMA-RESPONSE']).toBe('pass');
    expect(verdicts['ADDR-NAME']).toBe('skip');
    expect(report.seed).toBe(3);
  });

  test('--embedded with a fault exits 1 and the finding has a curl line without the password', async () => {
    const reportDir = await mkdtemp(join(tmpdir(), 'isym-cli-'));
    const { code } = await runCli(['--embedded', '--embedded-fault', 'list-item-stale-display-name', '--only', 'ADDR-LIST', '--format', 'json', '--report-dir', reportDir]);
    expect(code).toBe(1);
    const text = await readFile(join(reportDir, 'conformance.json'), 'utf8');
    const rule = JSON.parse(text).rules.find((r: { id: string }) => r.id === 'ADDR-LIST');
    expect(rule.verdict).toBe('fail');
    expect(rule.findings[0].curl[0]).toMatch(/^curl .*-u "\$ISYM_USER:\$ISYM_PASSWORD" .*http:\/\/127\.0\.0\.1:\d+\/communication_manager\/rest\/live\//);
    expect(text).not.toContain('manag3rpa55word');
  });

  test('an unknown fault name for --embedded exits 2 and lists the known ones', async () => {
    const { code, stderr } = await runCli(['--embedded', '--embedded-fault', 'no-such-fault']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/no-such-fault/);
  });
});
