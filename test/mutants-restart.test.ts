import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runConformance } from '../suites/runner/run-conformance.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startReferenceServer, type RunningReferenceServer } from './reference-server/index.js';
import { defineMutantMatrix } from './support/mutant-matrix.js';

defineMutantMatrix(['RESTART', 'RECREATE']);

function agentIds(reference: RunningReferenceServer): Set<string> {
  return new Set(reference.liveState().coreServers.flatMap((cs) => cs.queues.flatMap((queue) => queue.agents.map((agent) => agent.id))));
}

describe('RECREATE-NEW-UUID on the reference server', () => {
  test('re-creates one agent with a new UUID and leaves it as it was (paused, penalty)', async () => {
    const reference = await startReferenceServer({ seed: 42 });
    // Every dynamic agent paused with a penalty: a re-creation that forgot them would show in the fingerprint.
    for (const agent of reference.liveState().coreServers.flatMap((cs) => cs.queues.flatMap((queue) => queue.agents))) {
      if (!agent.dynamic) continue;
      agent.paused = true;
      agent.pauseCount = 1;
      agent.penalty = 3;
    }
    try {
      const fingerprint = reference.stateFingerprint();
      const idsBefore = agentIds(reference);
      const run = await runConformance({
        target: reference.baseUrl,
        user: DEFAULT_USER,
        password: DEFAULT_PASSWORD,
        reportDir: await mkdtemp(join(tmpdir(), 'isym-conform-recreate-')),
        formats: ['json'],
        seed: 42,
        only: ['RECREATE'],
      });
      const result = run.report?.rules.find((rule) => rule.id === 'RECREATE-NEW-UUID');
      expect(`${result?.verdict} ${result?.reason ?? ''}`).toBe('pass ');
      const idsAfter = agentIds(reference);
      expect([...idsBefore].filter((id) => !idsAfter.has(id))).toHaveLength(1);
      expect(idsAfter.size).toBe(idsBefore.size);
      expect(reference.stateFingerprint()).toBe(fingerprint);
    } finally {
      await reference.stop();
    }
  });
});
