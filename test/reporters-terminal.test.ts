/**
 * What the CLI shows while it runs: colour and in-place lines only on a terminal and never under NO_COLOR or
 * TERM=dumb; one plain line per rule family otherwise, with the failing rules as they come; nothing a target
 * names can drive the terminal.
 */
import { describe, expect, test } from 'vitest';
import type { RuleResult } from '../reporters/vocabulary/rule-result.js';
import { TerminalProgress, terminalOptionsFor, type TerminalOptions } from '../reporters/terminal.js';
import { cut, displayWidth, padEnd, paint } from '../reporters/terminal-text.js';

function stream(isTTY: boolean): NodeJS.WriteStream {
  return { isTTY, columns: 90, write: () => true } as unknown as NodeJS.WriteStream;
}

function result(id: string, family: RuleResult['family'], verdict: RuleResult['verdict'], message = ''): RuleResult {
  const findings = verdict === 'fail' ? [{ message, expected: 'e', actual: 'a', requests: [], curl: [] }] : [];
  return { id, level: 'MUST', family, statement: '', verdict, provenance: 'doc', findings, notes: [], durationMs: 1, requests: 1 };
}

describe('terminalOptionsFor', () => {
  test.each([
    { label: 'a terminal', tty: true, env: {}, color: true, live: true },
    { label: 'a terminal with NO_COLOR', tty: true, env: { NO_COLOR: '1' }, color: false, live: true },
    { label: 'a dumb terminal', tty: true, env: { TERM: 'dumb' }, color: false, live: false },
    { label: 'a pipe or a file', tty: false, env: {}, color: false, live: false },
  ])('$label: colour $color, live line $live', ({ tty, env, color, live }) => {
    const options = terminalOptionsFor(stream(tty), env);
    expect({ color: options.color, live: options.live }).toEqual({ color, live });
  });
});

describe('TerminalProgress', () => {
  function capture(overrides: Partial<TerminalOptions>): { options: TerminalOptions; text: () => string } {
    let text = '';
    return { options: { write: (chunk) => (text += chunk), color: false, live: false, columns: 100, ...overrides }, text: () => text };
  }

  function play(progress: TerminalProgress): void {
    progress.onRuleStarted('ADDR-UUID', 'addressing');
    progress.onRuleDecided(result('ADDR-UUID', 'addressing', 'pass'));
    progress.onRuleStarted('ADDR-NAME', 'addressing');
    progress.onRuleDecided(result('ADDR-NAME', 'addressing', 'fail', 'name \u001b[2Jwiped <b>x</b>'));
    progress.onRuleStarted('SCHEMA-RESPONSE', 'http');
    progress.onRuleDecided(result('SCHEMA-RESPONSE', 'http', 'pass'));
    progress.finish();
  }

  test('not a terminal: plain lines, one per family and one per failing rule, no escape sequence', () => {
    const { options, text } = capture({});
    play(new TerminalProgress(options, new Map([['addressing', 2], ['http', 1]])));
    const lines = text().trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^ {2}FAIL +ADDR-NAME +1 finding\(s\): name \?\[2Jwiped <b>x<\/b>$/);
    expect(lines[1]).toMatch(/^addressing +2 rule\(s\): 1 pass, 1 fail, 0 skip, 0 error \(\d+\.\d s\)$/);
    expect(lines[2]).toMatch(/^http +1 rule\(s\): 1 pass, 0 fail, 0 skip, 0 error/);
    expect(text()).not.toContain('\u001b');
    expect(text()).not.toContain('\r');
  });

  test('families that run at once: each line is written when its last rule is decided, the rest at the end', () => {
    const { options, text } = capture({});
    const progress = new TerminalProgress(options, new Map([['addressing', 2], ['http', 1], ['actions', 2]]));
    for (const [id, family] of [['ADDR-UUID', 'addressing'], ['ADDR-NAME', 'addressing'], ['SCHEMA-RESPONSE', 'http'], ['ACT-EFFECT', 'actions'], ['ACT-CONFLICT', 'actions']] as const) {
      progress.onRuleStarted(id, family);
    }
    progress.onRuleDecided(result('SCHEMA-RESPONSE', 'http', 'pass'));
    progress.onRuleDecided(result('ADDR-UUID', 'addressing', 'pass'));
    expect(text()).toMatch(/^http +1 rule\(s\): 1 pass/);
    progress.onRuleDecided(result('ACT-EFFECT', 'actions', 'pass'));
    progress.onRuleDecided(result('ADDR-NAME', 'addressing', 'pass'));
    // An interrupted run: ACT-CONFLICT is never decided.
    progress.finish();
    const lines = text().trimEnd().split('\n');
    expect(lines.map((line) => line.split(' ')[0])).toEqual(['http', 'addressing', 'actions']);
    expect(lines[1]).toMatch(/^addressing +2 rule\(s\): 2 pass/);
    expect(lines[2]).toMatch(/^actions +1 rule\(s\): 1 pass/);
  });

  test('--verbose: a line for every rule as it is decided, passes too', () => {
    const { options, text } = capture({ everyRule: true });
    play(new TerminalProgress(options, new Map([['addressing', 2], ['http', 1]])));
    const lines = text().trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^ {2}pass +ADDR-UUID/);
    expect(lines[1]).toMatch(/^ {2}FAIL +ADDR-NAME/);
    expect(lines[3]).toMatch(/^ {2}pass +SCHEMA-RESPONSE/);
  });

  test('a terminal: the family line is rewritten in place with the rule under way, and coloured', () => {
    const { options, text } = capture({ live: true, color: true });
    play(new TerminalProgress(options, new Map([['addressing', 2], ['http', 1]])));
    expect(text()).toContain('\r\u001b[K');
    expect(text()).toMatch(/\u001b\[1maddressing\u001b\[22m 2\/2 ADDR-NAME/);
    expect(text()).toContain('\u001b[31mFAIL');
    // The target's escape sequence is not passed through.
    expect(text()).not.toContain('\u001b[2J');
  });
});

describe('terminal text: widths in display columns, colour through util.styleText', () => {
  test('wide characters count two columns, so a cut line of CJK names fits its width', () => {
    const names = '内线分机一二三四五六七八九十';
    expect(displayWidth(names)).toBe(2 * names.length);
    const line = cut(names, 11);
    expect(displayWidth(line)).toBeLessThanOrEqual(11);
    expect(line).toBe('内线分机一…');
  });

  test('a cut never splits a character made of several code points', () => {
    const family = '👩‍👩‍👧'.repeat(6);
    const line = cut(family, 7);
    expect(line.endsWith('…')).toBe(true);
    expect(line.slice(0, -1)).toBe('👩‍👩‍👧'.repeat(3));
  });

  test('padding counts display columns, and colour codes take none', () => {
    expect(padEnd('名', 4)).toBe('名  ');
    expect(displayWidth(padEnd('名', 4))).toBe(4);
    const red = paint({ color: true }, 'red', 'FAIL');
    expect(red).toBe('\u001b[31mFAIL\u001b[39m');
    expect(displayWidth(red)).toBe(4);
    expect(paint({ color: false }, 'red', 'FAIL')).toBe('FAIL');
  });

  test('a short line is left as it is, control characters replaced', () => {
    expect(cut('a\u001b[2Jb  c', 20)).toBe('a?[2Jb c');
  });
});
