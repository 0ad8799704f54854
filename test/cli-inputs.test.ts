/**
 * A user's first hour: inputs the CLI judges before the first request (exit 2, one sentence saying what is wrong
 * and what to do), ISYM_TARGET, --list-rules, --require-all, and the subcommands in --help.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ruleCatalogue } from '../reporters/vocabulary/rules.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startReferenceServer, type RunningReferenceServer } from './reference-server/index.js';
import { closedTarget } from './support/closed-target.js';
import { runCli } from './support/run-cli.js';

const credentials = { ISYM_USER: DEFAULT_USER, ISYM_PASSWORD: DEFAULT_PASSWORD };

const reportDir = () => mkdtemp(join(tmpdir(), 'isym-cli-inputs-'));

let reference: RunningReferenceServer;
beforeAll(async () => {
  reference = await startReferenceServer();
});
afterAll(async () => {
  await reference?.stop();
});

describe('rule ids in --only and --skip', () => {
  test('an unknown id in --only exits 2 and lists the rule ids and family prefixes', async () => {
    const { code, stderr } = await runCli(['--embedded', '--only', 'ADDR-UUIDD', '--report-dir', await reportDir()]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--only "ADDR-UUIDD" names no rule: use rule ids \(ADDR-UUID, .*AUTH-REQUIRED\) or family prefixes \(ACT, ADDR, .*\)/);
    // Nothing started: no embedded server, no check.
    expect(stderr).not.toMatch(/Embedded reference server|Checking/);
  });

  test('an unknown family in --skip exits 2 (it was silently ignored)', async () => {
    const { code, stderr } = await runCli(['--target', await closedTarget(), '--skip', 'ACT,ACTION', '--report-dir', await reportDir()]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--skip "ACTION" names no rule/);
  });

  test('family prefixes and rule ids in any case still pass the check (the closed target then exits 3)', async () => {
    const { code, stderr } = await runCli(['--target', await closedTarget(), '--only', 'ADDR,act,SCHEMA-RESPONSE', '--skip', 'ACT-CONFLICT', '--report-dir', await reportDir()]);
    expect(stderr).toMatch(/Cannot reach the target/);
    expect(code).toBe(3);
  });
});

describe('the report folder is created and write-tested before the run', () => {
  test.each(['/proc/isym-conform-x', '/dev/null/x'])('%s: exit 2 at once, no hang, no stack trace', async (dir) => {
    const started = performance.now();
    const { code, stderr } = await runCli(['--embedded', '--report-dir', dir], {}, 30_000);
    expect(code).toBe(2);
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(stderr).toMatch(/The report folder .* cannot be created.*; give --report-dir a folder this user may create and write\./);
    expect(stderr).not.toMatch(/ at |Embedded reference server/);
  });

  test('merge checks its report folder too', async () => {
    const { code, stderr } = await runCli(['merge', '--report-dir', '/dev/null/x', await reportDir()], {}, 30_000);
    expect(code).toBe(2);
    expect(stderr).toMatch(/isym-conform merge: The report folder \/dev\/null\/x cannot be created: \/dev\/null is not a folder/);
  });

  test('a folder several levels deep that does not exist yet is created', async () => {
    const dir = join(await reportDir(), 'a', 'b');
    const { code } = await runCli(['--target', await closedTarget(), '--report-dir', dir, '--format', 'json']);
    expect(code).toBe(3);
    expect(JSON.parse(await readFile(join(dir, 'conformance.json'), 'utf8')).runErrors[0]).toMatch(/Cannot reach/);
  });
});

describe('the target', () => {
  test('without a scheme: exit 2, and the message shows it with one', async () => {
    const { code, stderr } = await runCli(['--target', '127.0.0.1:58080/communication_manager/rest/live', '--report-dir', await reportDir()]);
    expect(code).toBe(2);
    expect(stderr).toContain('--target "127.0.0.1:58080/communication_manager/rest/live" is not an http(s) URL: write it with its scheme, e.g. http://127.0.0.1:58080/communication_manager/rest/live.');
  });

  test('not an http(s) URL: exit 2', async () => {
    const { code, stderr } = await runCli(['--target', 'ftp://pbx/communication_manager/rest/live', '--report-dir', await reportDir()]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/is not an http\(s\) URL/);
  });

  test('whose /coreServers answers 404: exit 2, asking whether --target is the Live API base', async () => {
    const origin = reference.baseUrl.replace('/communication_manager/rest/live', '');
    const { code, stderr } = await runCli(['--target', `${origin}/communication_manager/rest`, '--report-dir', await reportDir()], credentials);
    expect(code).toBe(2);
    expect(stderr).toMatch(/GET .*\/communication_manager\/rest\/coreServers answered 404: is --target the Live API base, …\/communication_manager\/rest\/live\?/);
  });

  test('that asks for credentials when none are given: exit 2 with a hint to set ISYM_USER/ISYM_PASSWORD', async () => {
    const { code, stderr } = await runCli(['--target', reference.baseUrl, '--report-dir', await reportDir()]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/The target asks for credentials \(GET \/coreServers answered 401 without any\): set ISYM_USER and ISYM_PASSWORD/);
  });

  test('ISYM_TARGET stands for --target; the command line wins over it', async () => {
    const dir = await reportDir();
    const fromEnv = await runCli(['--only', 'ADDR-UUID', '--runs', '5', '--sut', 'Reference server 0.1', '--format', 'json', '--report-dir', dir], { ...credentials, ISYM_TARGET: reference.baseUrl });
    expect(fromEnv.code).toBe(0);
    const report = JSON.parse(await readFile(join(dir, 'conformance.json'), 'utf8'));
    expect(report.target.url).toBe(reference.baseUrl);
    // --sut is recorded as given.
    expect(report.sut).toBe('Reference server 0.1');

    const overridden = await runCli(['--target', await closedTarget(), '--report-dir', await reportDir()], { ...credentials, ISYM_TARGET: reference.baseUrl });
    expect(overridden.code).toBe(3);
  });
});

describe('rules not checked, and --require-all', () => {
  test('a passing run names the MUST rules it did not check; --require-all makes it exit 1', async () => {
    const plain = await runCli(['--target', reference.baseUrl, '--only', 'ADDR-UUID', '--runs', '5', '--format', 'md', '--report-dir', await reportDir()], credentials);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/CONFORMANT: 1 MUST rule\(s\) passed; \d+ not checked: ADDR-NAME, .*RESTART-NEW-UUIDS.* \(not selected by --only ADDR-UUID\)/);

    const dir = await reportDir();
    const strict = await runCli(['--target', reference.baseUrl, '--only', 'ADDR-UUID', '--runs', '5', '--require-all', '--report-dir', dir], credentials);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/NOT CONFORMANT: 0 rule\(s\) failed, 0 could not be decided; \d+ not checked: .*\(a failure with --require-all\)/);
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toContain('### Not checked');
  });
});

describe('--quiet and --verbose', () => {
  test('--quiet: the outcome line and the report files on stdout, nothing on stderr', async () => {
    const { code, stdout, stderr } = await runCli(['--target', reference.baseUrl, '--only', 'ADDR-UUID', '--runs', '5', '--quiet', '--format', 'json', '--report-dir', await reportDir()], credentials);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^CONFORMANT: 1 MUST rule\(s\) passed; \d+ not checked: .*\nreport: .*conformance\.json\n$/);
  });

  test('--verbose: a progress line for every rule, passes and skips too', async () => {
    const { code, stderr } = await runCli(['--target', reference.baseUrl, '--only', 'ADDR-UUID', '--runs', '5', '--verbose', '--format', 'json', '--report-dir', await reportDir()], credentials);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^ {2}pass +ADDR-UUID/m);
    expect(stderr).toMatch(/^ {2}skip +ADDR-NAME +not selected by --only ADDR-UUID/m);
  });

  test('--verbose with --quiet is bad usage', async () => {
    const { code, stderr } = await runCli(['--embedded', '--verbose', '--quiet']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--verbose.*cannot be used with.*--quiet/);
  });
});

describe('--list-rules and --help', () => {
  test('--list-rules prints every rule with its level, family, provenance and statement, and exits 0 without a target', async () => {
    const { code, stdout } = await runCli(['--list-rules']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id +level +family +provenance +statement$/);
    expect(lines).toHaveLength(ruleCatalogue.length + 1);
    for (const rule of ruleCatalogue) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${rule.id} +${rule.level} +${rule.family} +${rule.provenance} +${rule.statement.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)));
    }
  });

  test('--help lists the new options, the merge and help commands, ISYM_TARGET and the exit codes', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const option of ['--require-all', '--cacert <file>', '--insecure', '--list-rules', '--sut <name>', '--verbose', '--quiet']) expect(stdout).toContain(option);
    expect(stdout).toMatch(/Commands:\n {2}merge \[options\] <reports\.\.\.>/);
    expect(stdout).toMatch(/\n {2}help \[command\]/);
    expect(stdout).toContain('ISYM_TARGET');
    const help = await runCli(['help', 'merge']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: isym-conform merge \[options\] <reports\.\.\.>/);
  });
});
