/**
 * The inputs of a run that can be judged before the first request: the target URL, the rule selectors, the report
 * folder and the TLS options. Each problem is one sentence that says what is wrong and what to do; the CLI exits 2
 * with it.
 */
import { constants } from 'node:fs';
import { access, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { RunRequest, TlsOptions } from '../run-plan.js';
import { ruleCatalogue, rulePrefixes, unknownSelectors } from '../../reporters/vocabulary/rules.js';

/** Why `target` cannot be a Live API base, or undefined when it is an http(s) URL. */
export function targetUrlProblem(target: string): string | undefined {
  let url: URL | undefined;
  try {
    url = new URL(target);
  } catch {
    url = undefined;
  }
  if (url && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname) return undefined;
  // `127.0.0.1:58080/...` parses as a URL of scheme `127.0.0.1:`; `pbx:58080/...` as one of scheme `pbx:`.
  const schemeless = !/^[a-z][a-z0-9+.-]*:\/\//i.test(target);
  const example = schemeless ? `http://${target}` : 'http://HOST:58080/communication_manager/rest/live';
  return `--target "${target}" is not an http(s) URL: write it with its scheme, e.g. ${example}.`;
}

/** Why --only or --skip holds an id that selects no rule, or undefined. */
export function selectorProblem(option: '--only' | '--skip', selectors: readonly string[] | undefined): string | undefined {
  const unknown = unknownSelectors(selectors ?? []);
  if (unknown.length === 0) return undefined;
  return (
    `${option} ${unknown.map((id) => `"${id}"`).join(', ')} names no rule: use rule ids (${ruleCatalogue.map((rule) => rule.id).join(', ')}) ` +
    `or family prefixes (${rulePrefixes().join(', ')}); isym-conform --list-rules lists every rule.`
  );
}

/** The nearest existing folder at or above `dir`, or why there is none that could hold it. */
async function nearestExisting(dir: string): Promise<{ path: string; isDirectory: boolean }> {
  for (let current = dir; ; current = dirname(current)) {
    try {
      const found = await stat(current);
      return { path: current, isDirectory: found.isDirectory() };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ENOTDIR: a part of the path is a file (`/dev/null/x`); go up until the part that exists.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      if (dirname(current) === current) return { path: current, isDirectory: false };
    }
  }
}

/**
 * Creates the report folder (and the folders above it) and writes a test file there, so that a run never ends
 * unable to write its report. Created level by level: Node's recursive mkdir loops forever where the kernel
 * refuses a folder with ENOENT (procfs). Returns why the folder cannot be used, or undefined.
 */
export async function prepareReportDir(reportDir: string): Promise<string | undefined> {
  const dir = resolve(reportDir);
  const advice = 'give --report-dir a folder this user may create and write';
  try {
    const existing = await nearestExisting(dir);
    if (!existing.isDirectory) return `The report folder ${dir} cannot be created: ${existing.path} is not a folder; ${advice}.`;
    const missing: string[] = [];
    for (let current = dir; current !== existing.path; current = dirname(current)) missing.unshift(current);
    for (const level of missing) await mkdir(level);
    await access(dir, constants.W_OK);
    const probe = join(dir, `.isym-conform-write-test-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe, { force: true });
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return `The report folder ${dir} cannot be created or written (${code}: ${(error as Error).message.replace(/^\w+: /, '')}); ${advice}.`;
  }
}

/** The inputs {@link checkRunInputs} judges. */
export interface RunInputs {
  /** Undefined for --embedded, whose URL the checker makes itself. */
  target?: string;
  only?: readonly string[];
  skip?: readonly string[];
  caFile?: string;
  insecure?: boolean;
  reportDir?: string;
}

/**
 * The problems of a run's inputs that need no request to see (usage errors, exit 2), in the order a user meets
 * them; the report folder is created and write-tested. Gives back the TLS settings read from --cacert / --insecure.
 */
export async function checkRunInputs(inputs: RunInputs): Promise<{ problem?: string; tls?: TlsOptions }> {
  const problem =
    (inputs.target !== undefined ? targetUrlProblem(inputs.target) : undefined) ?? selectorProblem('--only', inputs.only) ?? selectorProblem('--skip', inputs.skip);
  if (problem) return { problem };
  if (inputs.caFile !== undefined && inputs.insecure) {
    return { problem: '--cacert and --insecure exclude each other: give the CA with --cacert FILE, or skip the certificate check with --insecure.' };
  }
  let tls: TlsOptions | undefined = inputs.insecure ? { insecure: true } : undefined;
  if (inputs.caFile !== undefined) {
    const read = await readCaFile(inputs.caFile);
    if (read.problem) return { problem: read.problem };
    tls = read.tls;
  }
  const reportDirProblem = await prepareReportDir(inputs.reportDir ?? 'conformance-report');
  if (reportDirProblem) return { problem: reportDirProblem };
  return { tls };
}

/** Reads the --cacert file; a file that cannot be read or holds no PEM certificate is a usage problem. */
export async function readCaFile(file: string): Promise<{ tls?: TlsOptions; problem?: string }> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { problem: `--cacert ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): give the path of the PEM file of the CA that signed the target's certificate.` };
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    return { problem: `--cacert ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the CA certificate in PEM form.` };
  }
  return { tls: { caFile: path, ca: text } };
}

/**
 * Moves credentials written into the target URL (`http://user:pass@pbx/...`) to user and password (unless those
 * are given), so that the URL every report and curl line shows holds none.
 */
export function withoutUrlCredentials<T extends Pick<RunRequest, 'target' | 'user' | 'password'>>(request: T): T {
  let url: URL;
  try {
    url = new URL(request.target);
  } catch {
    return request;
  }
  if (!url.username && !url.password) return request;
  const user = request.user ?? decodeURIComponent(url.username);
  const password = request.password ?? decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  return { ...request, target: url.href, user, password };
}
