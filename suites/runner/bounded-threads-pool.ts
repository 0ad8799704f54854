/**
 * The vitest pool the suites run in: vitest's own worker thread, started with a bound on its V8 heap.
 *
 * Why: V8 sizes a heap's next collection from the limit it may grow to, by default some 4 GiB. The checks make
 * much short-lived garbage (every listing read, parsed, put in order and compared), so on a large target the
 * worker's heap grew to some 200 MiB while what it kept alive stayed under 40 MiB, and the process's RSS with
 * it. A bound makes V8 collect before that. vitest passes no V8 flag to a worker thread (Node refuses them in a
 * worker's execArgv), and its threads pool takes no resource limits, so this pool is vitest's threads pool
 * (`ThreadsPoolWorker`, experimental API) with `resourceLimits` added.
 */
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { PoolOptions, PoolWorker, WorkerRequest } from 'vitest/node';

/**
 * The bound of the worker's old generation, MiB. What a run keeps alive grows with the target (discovery, the
 * arena, the restart snapshot): at most some 40 MiB at ×100 of the reference data set and some 75 MiB at ×300, so
 * this leaves room three times over at ×300; reaching it would end the worker, and with it the run. With no bound
 * the ×100 run's RSS peaked at some 370 MiB; with this one, at some 255 MiB.
 */
const WORKER_OLD_GENERATION_MIB = 256;

/**
 * The bound in force: `ISYM_WORKER_HEAP_MIB` raises it for a target far larger than ×300 (the README says when),
 * never lowers it below the default.
 */
export function workerOldGenerationMib(environment: NodeJS.ProcessEnv = process.env): number {
  const asked = Number(environment.ISYM_WORKER_HEAP_MIB);
  return Number.isInteger(asked) && asked > WORKER_OLD_GENERATION_MIB ? asked : WORKER_OLD_GENERATION_MIB;
}

/** vitest's threads pool worker (vitest/dist/chunks/cli-api, `ThreadsPoolWorker`), with a bounded heap. */
class BoundedThreadsPoolWorker implements PoolWorker {
  readonly name = boundedThreadsPool.name;
  private thread?: Worker;
  private readonly entrypoint: string;
  private readonly stdout: Writable | NodeJS.WriteStream;
  private readonly stderr: Writable | NodeJS.WriteStream;

  constructor(private readonly options: PoolOptions) {
    this.stdout = options.project.vitest.logger.outputStream;
    this.stderr = options.project.vitest.logger.errorStream;
    // The entry point of vitest's threads pool, as its own worker finds it.
    this.entrypoint = resolve(options.distPath, 'workers/threads.js');
  }

  private get started(): Worker {
    if (!this.thread) throw new Error('The worker thread was torn down or never started.');
    return this.thread;
  }

  on(event: string, callback: (arg: unknown) => void): void {
    this.started.on(event, callback);
  }

  off(event: string, callback: (arg: unknown) => void): void {
    this.started.off(event, callback);
  }

  send(message: WorkerRequest): void {
    this.started.postMessage(message);
  }

  async start(): Promise<void> {
    // Called again when the worker is reused: one thread for the run.
    if (this.thread) return;
    this.thread = new Worker(this.entrypoint, {
      env: this.options.env,
      execArgv: this.options.execArgv,
      resourceLimits: { maxOldGenerationSizeMb: workerOldGenerationMib() },
      stdout: true,
      stderr: true,
    });
    this.stdout.setMaxListeners(1 + this.stdout.getMaxListeners());
    this.thread.stdout.pipe(this.stdout);
    this.stderr.setMaxListeners(1 + this.stderr.getMaxListeners());
    this.thread.stderr.pipe(this.stderr);
  }

  async stop(): Promise<void> {
    const thread = this.started;
    await thread.terminate();
    thread.stdout.unpipe(this.stdout);
    this.stdout.setMaxListeners(this.stdout.getMaxListeners() - 1);
    thread.stderr.unpipe(this.stderr);
    this.stderr.setMaxListeners(this.stderr.getMaxListeners() - 1);
    this.thread = undefined;
  }

  deserialize(data: unknown): unknown {
    return data;
  }
}

/** The pool to give vitest's `pool` option. */
export const boundedThreadsPool = {
  name: 'isym-bounded-threads',
  createPoolWorker: (options: PoolOptions): PoolWorker => new BoundedThreadsPoolWorker(options),
};
