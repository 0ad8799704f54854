/**
 * Starting vitest on the suite files, with the run plan provided to them and the conformance reporter listening.
 * vitest is loaded only when a run has judged its inputs (--help and bad usage do not pay for its start-up), and
 * then at once, while the contract is validated and the target probed: its import takes seconds.
 */
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestSequencerConstructor, TestSpecification } from 'vitest/node';
import type { ConformanceReporter } from '../../reporters/conformance-reporter.js';
import type { RunPlan } from '../run-plan.js';
import type { InterruptWatch } from './interrupt-watch.js';
import { boundedThreadsPool } from './bounded-threads-pool.js';
import { packageRoot } from './package-root.js';

/**
 * Where the suite files are: in the folder above the runner's. Run from source, they are the TypeScript files of
 * suites/; run from dist/ (the installed package), the compiled ones of dist/suites/, so the package ships no source.
 */
const suitesDir = dirname(dirname(fileURLToPath(import.meta.url)));
const fromSource = fileURLToPath(import.meta.url).endsWith('.ts');
const suiteFileEnding = fromSource ? '.suite.ts' : '.suite.js';

/**
 * Run from dist/, the modules the suite files import are plain JavaScript already: the worker imports them as
 * Node does, without vite's transform and module runner (which would parse, rewrite and evaluate each one again
 * in the worker). The suite files themselves go through vitest, which collects their tests. From source, every
 * module needs the transform (TypeScript).
 */
function compiledModules(): RegExp[] {
  if (fromSource) return [];
  const compiledRoot = dirname(suitesDir).replaceAll('\\', '/').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [new RegExp(`^${compiledRoot}/(?!.*\\.suite\\.js$).*\\.js$`)];
}

/** vitest's programmatic API, being loaded. */
export type VitestLoading = Promise<typeof import('vitest/node')>;

/** Starts loading vitest now; the run takes it when its suites start. */
export function loadVitest(): VitestLoading {
  const loading = import('vitest/node');
  // A run that ends early never takes it; a failure to load shows where the suites start.
  loading.catch(() => undefined);
  return loading;
}

/**
 * The suite files in the order they run: the families that run against one lifetime of the target (addressing,
 * http, actions, their read-only rules beside the others), then the restart, which renews every UUID.
 */
const suiteFileOrder = ['live', 'restart'];

/** A sequencer that runs the suite files in {@link suiteFileOrder}. */
function suiteOrderSequencer(BaseSequencer: typeof import('vitest/node').BaseSequencer): TestSequencerConstructor {
  return class SuiteOrderSequencer extends BaseSequencer {
    async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
      const rank = (file: TestSpecification) => {
        const index = suiteFileOrder.findIndex((name) => file.moduleId.endsWith(`/${name}${suiteFileEnding}`));
        return index === -1 ? suiteFileOrder.length : index;
      };
      return [...files].sort((a, b) => rank(a) - rank(b));
    }
  };
}

/**
 * Runs the suites of `plan` under vitest until they end or `interruption` cancels them; the results are the
 * reporter's. `handleSigint`: this run handles Ctrl-C itself, so vitest's own SIGINT handler is taken away.
 */
export async function runSuites(
  plan: RunPlan,
  reporter: ConformanceReporter,
  interruption: InterruptWatch,
  handleSigint: boolean,
  vitestLoading: VitestLoading = loadVitest(),
): Promise<void> {
  const exitCodeBefore = process.exitCode;
  const { createVitest, BaseSequencer } = await vitestLoading;
  const sigintListenersBefore = new Set(process.listeners('SIGINT'));
  const vitest = await createVitest(
    'test',
    {
      root: packageRoot(),
      dir: suitesDir,
      include: [`*${suiteFileEnding}`],
      exclude: [],
      config: false,
      watch: false,
      reporters: [reporter],
      provide: { isymConform: plan },
      // One worker thread, in this process: a forked worker would be a second Node process, with its own copy of
      // vitest and of the modules, for no isolation the suites need (they share one run scope anyway). Its heap is
      // bounded, so that V8 collects the checks' garbage before it costs the process some 150 MiB of RSS.
      pool: boundedThreadsPool,
      maxWorkers: 1,
      fileParallelism: false,
      // With --concurrency above 1 every rule of a suite file is a test under way at once (most of them waiting
      // for their turn, see harness.ts); the request slots bound the load.
      maxConcurrency: plan.concurrency > 1 ? Math.max(plan.concurrency, plan.rules.length) : 1,
      isolate: false,
      testTimeout: 60 * 60 * 1000,
      hookTimeout: 60 * 60 * 1000,
      sequence: { sequencer: suiteOrderSequencer(BaseSequencer) },
      passWithNoTests: true,
      server: { deps: { external: compiledModules() } },
    },
    { cacheDir: join(tmpdir(), 'isym-conform-vite-cache'), logLevel: 'silent' },
  );
  if (handleSigint) {
    // vitest's logger ends the process on SIGINT; this run handles Ctrl-C itself: cancel, then write the partial report.
    for (const listener of process.listeners('SIGINT')) if (!sigintListenersBefore.has(listener)) process.off('SIGINT', listener);
  }
  try {
    // An interrupt that came while vitest was starting (or a --max-time already spent) leaves nothing to run.
    if (interruption.interrupted()) return;
    interruption.onInterrupt((interrupt) => void vitest.cancelCurrentRun(interrupt.reason === 'signal' ? 'keyboard-input' : (interrupt.reason as never)));
    await vitest.start();
  } catch (error) {
    // A cancelled run may end in an error of vitest's own; the partial report is still written.
    if (!interruption.interrupted()) throw error;
  } finally {
    await vitest.close();
    process.exitCode = exitCodeBefore;
  }
}
