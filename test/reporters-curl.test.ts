/**
 * The curl line of a finding, run by a real shell with ISYM_USER and ISYM_PASSWORD set, sends what the checker
 * sent: the same method, path, credentials, content type and body, however hostile the path and body are. A
 * loopback echo server records both requests. The line itself never holds the password.
 */
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { curlLine, shellQuote, toFinding } from '../suites/finding.js';
import { TargetClient } from '../suites/target-client.js';
import { referencePassword } from './reporters-support.js';

const run = promisify(execFile);

interface Received {
  method: string;
  url: string;
  authorization?: string;
  contentType?: string;
  body: string;
}

let server: Server;
let base: string;
const received: Received[] = [];

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        authorization: request.headers.authorization,
        contentType: request.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(418, { 'content-type': 'application/json' }).end('{"echo":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/rest/live`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const hostileWords = ["it's", 'a b', '$HOME', '`id`', '$(id)', '"quoted"', 'back\\slash', 'semi;colon', 'amp&', 'star*', 'new\nline', 'tab\t', 'ünï', '~user', '!bang', ''];

describe('shellQuote', () => {
  test.each(hostileWords)('a shell reads %j back as the same word', async (word) => {
    const { stdout } = await run('sh', ['-c', `printf '%s' ${shellQuote(word)}`]);
    expect(stdout).toBe(word);
  });
});

describe('a finding\'s curl line sends the same request again', () => {
  test.each([
    { label: 'a GET by name with a hostile name', method: 'GET', path: `/coreServers/c/extensions/getByName/${encodeURIComponent("<script>it's $(id)</script> `x` & y")}` },
    { label: 'a POST with a hostile JSON body', method: 'POST', path: '/coreServers/c/users/u/status/set', body: { status: "it's $HOME `id` \"q\" \\ ü\n!" } },
    { label: 'a POST with a body that is not JSON', method: 'POST', path: '/x', body: "{not json' $(id)", contentType: 'text/plain' },
  ])('$label', async ({ method, path, body, contentType }) => {
    const user = 'manager';
    const client = new TargetClient({ baseUrl: base, user, password: referencePassword });
    received.length = 0;
    const exchange = await client.request(method, path, body === undefined ? {} : { body, contentType });
    expect(exchange.status).toBe(418);
    const finding = toFinding({ message: 'm', expected: 'e', actual: 'a', exchanges: [exchange] });
    expect(finding.curl).toEqual([curlLine(exchange)]);
    expect(finding.curl[0]).toContain('-u "$ISYM_USER:$ISYM_PASSWORD"');
    expect(JSON.stringify(finding)).not.toContain(referencePassword);
    const { stdout } = await run('sh', ['-c', finding.curl[0]], { env: { ...process.env, ISYM_USER: user, ISYM_PASSWORD: referencePassword } });
    expect(stdout).toMatch(/^HTTP\/1\.1 418/);
    expect(received).toHaveLength(2);
    const [sent, again] = received;
    expect(again).toEqual(sent);
    expect(sent.authorization).toBe(`Basic ${Buffer.from(`${user}:${referencePassword}`).toString('base64')}`);
  });

  test('a request sent with wrong credentials is shown with the checker\'s made-up ones, and one without none', async () => {
    const client = new TargetClient({ baseUrl: base, user: 'manager', password: referencePassword });
    for (const auth of ['wrong', 'none'] as const) {
      received.length = 0;
      const exchange = await client.get('/coreServers', { auth });
      await run('sh', ['-c', curlLine(exchange)], { env: { ...process.env, ISYM_USER: 'manager', ISYM_PASSWORD: referencePassword } });
      expect(received[1]).toEqual(received[0]);
      expect(curlLine(exchange)).not.toContain('ISYM_PASSWORD');
    }
  });
});
