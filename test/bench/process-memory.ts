/**
 * Peak memory of a process tree, from Linux's /proc: the checker runs its suites in a vitest worker, a child
 * process, so the memory of "the checker" is that of the CLI process and its descendants. Sampling finds the
 * descendants while they live; each one's VmHWM (its own peak RSS, kept by the kernel) is read at every sample,
 * so a short peak between two samples is not missed.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The peak RSS seen of each process of a tree, by pid. */
export interface TreeMemory {
  /** pid → { command, peak RSS in bytes }. */
  processes: Map<number, { command: string; peakBytes: number }>;
  /** The largest peak of one process. */
  largestPeakBytes: number;
  /** The sum of the processes' peaks: an upper bound of the tree's RSS at any one moment. */
  sumOfPeaksBytes: number;
}

function statusField(pid: number, field: string): string | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return new RegExp(`^${field}:\\s*(.+)$`, 'm').exec(status)?.[1];
  } catch {
    return undefined; // gone meanwhile
  }
}

/** The pids whose parent is `pid`, from /proc/<pid>/task/<tid>/children (every thread's children). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text) children.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // gone meanwhile
  }
  return children;
}

/** `pid` and all its descendants alive now. */
export function processTree(pid: number): number[] {
  const found = [pid];
  for (let i = 0; i < found.length; i += 1) found.push(...childrenOf(found[i]));
  return found;
}

/** Whether this machine can be measured this way. */
export function canMeasureProcessMemory(): boolean {
  return statusField(process.pid, 'VmHWM') !== undefined;
}

/**
 * Samples the tree of `pid` every `intervalMs` until stopped; `stop()` gives the peaks. Call it when the process
 * has not been reaped yet for the last reading (e.g. on the child's `exit`, not `close`), or accept the last sample.
 */
export function watchTreeMemory(pid: number, intervalMs = 50): { stop(): TreeMemory } {
  const processes = new Map<number, { command: string; peakBytes: number }>();
  const sample = () => {
    for (const member of processTree(pid)) {
      const hwm = statusField(member, 'VmHWM');
      if (hwm === undefined) continue;
      const bytes = Number.parseInt(hwm, 10) * 1024;
      const known = processes.get(member);
      // The command is read again each time: a child forked from a node process shows its parent's command line
      // until it execs its own (a restart command's shell, say).
      if (known) {
        known.peakBytes = Math.max(known.peakBytes, bytes);
        known.command = commandOf(member);
      } else processes.set(member, { command: commandOf(member), peakBytes: bytes });
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      sample();
      clearInterval(timer);
      const peaks = [...processes.values()].map((p) => p.peakBytes);
      return { processes, largestPeakBytes: Math.max(0, ...peaks), sumOfPeaksBytes: peaks.reduce((a, b) => a + b, 0) };
    },
  };
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 160);
  } catch {
    return '?';
  }
}
