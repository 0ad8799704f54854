/**
 * Runs the CLI as a user does: a process from source (tsx), with a time bound, without the user's ISYM_* variables
 * unless a test sets them.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const root = join(import.meta.dirname, '..', '..');

/** What a CLI run gave: its exit code (null when it had to be killed), stdout and stderr. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** tsx's loader by its full path: a run from another working directory must still find it. */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Runs `isym-conform args…` in `cwd` (default: the project's folder); kills it after `timeoutMs` (code null then). */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 90_000, cwd = root): Promise<CliRun> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ISYM_')));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, join(root, 'bin/isym-conform.ts'), ...args], {
      cwd,
      env: { ...inherited, NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
