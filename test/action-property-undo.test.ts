/**
 * The cases of one action's property run one after another without an undo between them, and are undone together
 * when the property ends (suites/actions/cases-to-undo.ts). ACT-EFFECT against the reference server, the actions
 * it receives recorded: DND is switched on for each case of dndEnable, and only then switched off again, for every
 * extension a case switched; the server is left as found.
 */
import diagnostics from 'node:diagnostics_channel';
import type http from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runConformance } from '../suites/runner/run-conformance.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startReferenceServer } from './reference-server/index.js';

test("a property's cases run without an undo between them, and its end undoes them all", async () => {
  const reference = await startReferenceServer({ seed: 3 });
  const dnd: string[] = [];
  const record = (message: unknown) => {
    const { method, url } = (message as { request: http.IncomingMessage }).request;
    const switched = method === 'POST' ? /\/extensions\/([^/]+)\/dnd\/(enable|disable)$/.exec(url ?? '') : null;
    if (switched) dnd.push(`${switched[2]} ${switched[1]}`);
  };
  diagnostics.subscribe('http.server.request.start', record);
  try {
    const fingerprint = reference.stateFingerprint();
    const run = await runConformance({
      target: reference.baseUrl,
      user: DEFAULT_USER,
      password: DEFAULT_PASSWORD,
      reportDir: await mkdtemp(join(tmpdir(), 'isym-conform-undo-')),
      formats: ['json'],
      seed: 3,
      numRuns: 100, // 3 cases per action
      only: ['ACT-EFFECT'],
    });
    expect(run.report!.rules.find((rule) => rule.id === 'ACT-EFFECT')?.verdict).toBe('pass');
    // dndEnable's property comes first: its three cases, each on an extension whose DND was off, then their undo.
    const cases = dnd.slice(0, 3);
    expect(cases.map((line) => line.split(' ')[0])).toEqual(['enable', 'enable', 'enable']);
    const switchedOn = cases.map((line) => line.split(' ')[1]);
    expect(new Set(switchedOn).size).toBe(3);
    expect(dnd.slice(3, 6).sort()).toEqual(switchedOn.map((id) => `disable ${id}`).sort());
    expect(reference.stateFingerprint()).toBe(fingerprint);
  } finally {
    diagnostics.unsubscribe('http.server.request.start', record);
    await reference.stop();
  }
});
