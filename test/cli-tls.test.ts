/**
 * TLS as the README shows it: the reference server behind an https proxy whose certificate a private CA signed
 * (made with openssl). --cacert trusts that CA, --insecure skips the check, neither: exit 3 with a message that
 * names both; the curl lines of findings carry the option the run used.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { curlLine } from '../suites/finding.js';
import type { Exchange } from '../suites/target-client.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startReferenceServer, type RunningReferenceServer } from './reference-server/index.js';
import { runCli } from './support/run-cli.js';

const credentials = { ISYM_USER: DEFAULT_USER, ISYM_PASSWORD: DEFAULT_PASSWORD };

/** A private CA and a server certificate for 127.0.0.1 signed by it, as PEM files in `dir`. */
function makeCertificates(dir: string): { caFile: string; key: string; cert: string } {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=isym-conform test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  execFileSync('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1\\n" > server.ext'], { cwd: dir });
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext');
  return { caFile: join(dir, 'ca.pem'), key: join(dir, 'server.key'), cert: join(dir, 'server.pem') };
}

/** An https server that passes every request on to `upstream` (http), on a loopback port. */
async function httpsProxy(upstream: RunningReferenceServer, key: string, cert: string): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const server = https.createServer({ key: await readFile(key), cert: await readFile(cert) }, (request, response) => {
    const forwarded = http.request(
      { host: '127.0.0.1', port: upstream.port, method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on('error', () => response.destroy());
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    baseUrl: `https://127.0.0.1:${port}/communication_manager/rest/live`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let certificates: { caFile: string; key: string; cert: string };
let correct: RunningReferenceServer;
let faulty: RunningReferenceServer;
let correctProxy: Awaited<ReturnType<typeof httpsProxy>>;
let faultyProxy: Awaited<ReturnType<typeof httpsProxy>>;

beforeAll(async () => {
  certificates = makeCertificates(await mkdtemp(join(tmpdir(), 'isym-tls-')));
  correct = await startReferenceServer();
  faulty = await startReferenceServer({ faults: ['list-item-stale-display-name'] });
  correctProxy = await httpsProxy(correct, certificates.key, certificates.cert);
  faultyProxy = await httpsProxy(faulty, certificates.key, certificates.cert);
});

afterAll(async () => {
  await correctProxy?.close();
  await faultyProxy?.close();
  await correct?.stop();
  await faulty?.stop();
});

const reportDir = () => mkdtemp(join(tmpdir(), 'isym-tls-report-'));

describe('an https target with a certificate of a private CA', () => {
  test('without --cacert or --insecure: exit 3, and the message names both', async () => {
    const { code, stderr } = await runCli(['--target', correctProxy.baseUrl, '--only', 'ADDR-UUID', '--report-dir', await reportDir()], credentials);
    expect(code).toBe(3);
    expect(stderr).toMatch(/Cannot reach the target https:\/\/127\.0\.0\.1:\d+\/communication_manager\/rest\/live over TLS: .*--cacert FILE.*--insecure/);
  });

  test("the README's example: --cacert with the CA's file passes the probe and the rules", async () => {
    const { code, stdout, stderr } = await runCli(['--target', correctProxy.baseUrl, '--cacert', certificates.caFile, '--only', 'ADDR-UUID', '--runs', '5', '--report-dir', await reportDir()], credentials);
    expect(stdout, stderr).toMatch(/CONFORMANT/);
    expect(code).toBe(0);
  });

  test.each([
    { option: ['--cacert', 'CA'], curl: (caFile: string) => `--cacert ${caFile}` },
    { option: ['--insecure'], curl: () => '-k' },
  ])('with $option.0, the curl lines of a finding carry it', async ({ option, curl }) => {
    const dir = await reportDir();
    const args = option.map((word) => (word === 'CA' ? certificates.caFile : word));
    const { code } = await runCli(['--target', faultyProxy.baseUrl, ...args, '--only', 'ADDR-LIST', '--seed', '3', '--format', 'json', '--report-dir', dir], credentials);
    expect(code).toBe(1);
    const report = JSON.parse(await readFile(join(dir, 'conformance.json'), 'utf8'));
    const rule = report.rules.find((candidate: { id: string }) => candidate.id === 'ADDR-LIST');
    expect(rule.verdict).toBe('fail');
    expect(rule.findings[0].curl[0]).toContain(` ${curl(certificates.caFile)} `);
    expect(rule.findings[0].curl[0]).toMatch(/ '?https:\/\/127\.0\.0\.1:\d+\/communication_manager\/rest\/live\//);
  });

  test('a --cacert file that is missing or holds no certificate: exit 2 before any request', async () => {
    const missing = await runCli(['--target', correctProxy.baseUrl, '--cacert', '/nonexistent/ca.pem', '--report-dir', await reportDir()], credentials);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--cacert \/nonexistent\/ca\.pem cannot be read \(ENOENT\)/);
    const notPem = join(await reportDir(), 'not.pem');
    await writeFile(notPem, 'hello');
    const wrong = await runCli(['--target', correctProxy.baseUrl, '--cacert', notPem, '--report-dir', await reportDir()], credentials);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/holds no PEM certificate/);
  });
});

describe('curl lines', () => {
  const exchange: Exchange = { method: 'GET', path: '/coreServers', url: 'https://pbx:55050/communication_manager/rest/live/coreServers', auth: 'valid', status: 200, headers: {}, bodyText: '', truncated: false, durationMs: 1 };

  test('carry --cacert FILE or -k as the run had them, and nothing for plain https', () => {
    expect(curlLine({ ...exchange, tls: { caFile: '/etc/my ca.pem' } })).toBe(`curl -sS -i -u "$ISYM_USER:$ISYM_PASSWORD" --cacert '/etc/my ca.pem' ${exchange.url}`);
    expect(curlLine({ ...exchange, tls: { insecure: true } })).toBe(`curl -sS -i -u "$ISYM_USER:$ISYM_PASSWORD" -k ${exchange.url}`);
    expect(curlLine(exchange)).toBe(`curl -sS -i -u "$ISYM_USER:$ISYM_PASSWORD" ${exchange.url}`);
  });
});
