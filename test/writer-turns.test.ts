/**
 * The pieces that let rules run beside each other: the turns of the rules that change state (in a fixed order,
 * whatever the timing) and the request slots (the rule in its turn goes first in line).
 */
import { describe, expect, test } from 'vitest';
import { WriterTurns } from '../suites/writer-turns.js';
import { PriorityWork, RequestSlots } from '../suites/target-client.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
/** Lets every promise that can settle now do so. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

/** A rule's work in its turn: it notes when it starts and ends, a tick apart. */
async function inTurn(turns: WriterTurns, id: string, ran: string[]): Promise<void> {
  await turns.take(id);
  ran.push(`${id} start`);
  await tick();
  ran.push(`${id} end`);
  turns.release(id);
}

describe('WriterTurns', () => {
  test('turns go in the given order, whatever order the rules ask in', async () => {
    const turns = new WriterTurns([['A'], ['B'], ['C']]);
    const ran: string[] = [];
    await Promise.all(['C', 'B', 'A'].map((id) => inTurn(turns, id, ran)));
    expect(ran).toEqual(['A start', 'A end', 'B start', 'B end', 'C start', 'C end']);
  });

  test('rules that share a turn run together, after the turns before theirs and before those after', async () => {
    const turns = new WriterTurns([['A'], ['B1', 'B2'], ['C']]);
    const ran: string[] = [];
    await Promise.all(['C', 'B2', 'B1', 'A'].map((id) => inTurn(turns, id, ran)));
    expect(ran.slice(0, 2)).toEqual(['A start', 'A end']);
    expect(ran.slice(2, 4).sort()).toEqual(['B1 start', 'B2 start']);
    expect(ran.slice(4, 6).sort()).toEqual(['B1 end', 'B2 end']);
    expect(ran.slice(6)).toEqual(['C start', 'C end']);
  });

  test('a rule that released without taking its turn (skipped, nothing to change) lets the next go', async () => {
    const turns = new WriterTurns([['A'], ['B']]);
    turns.release('A');
    await expect(Promise.race([turns.take('B').then(() => 'taken'), tick().then(() => 'waiting')])).resolves.toBe('taken');
  });

  test('a later rule waits while an earlier one holds its turn; an abort lets it go', async () => {
    const turns = new WriterTurns([['A'], ['B']]);
    await turns.take('A');
    const abort = new AbortController();
    let taken = false;
    const waiting = turns.take('B', abort.signal).then(() => (taken = true));
    await tick();
    expect(taken).toBe(false);
    abort.abort();
    await waiting;
    expect(taken).toBe(true);
  });

  test('a rule that takes no turns waits for nothing; releasing twice is harmless', async () => {
    const turns = new WriterTurns([['A']]);
    expect(turns.has('READ-ONLY')).toBe(false);
    await turns.take('READ-ONLY');
    turns.release('A');
    turns.release('A');
    await turns.take('A');
  });
});

describe('RequestSlots', () => {
  test('a waiter with priority gets the next free slot before those that waited longer', async () => {
    const slots = new RequestSlots(1);
    await slots.acquire();
    const order: string[] = [];
    const plain = slots.acquire().then(() => order.push('plain'));
    const first = slots.acquire(true).then(() => order.push('priority'));
    slots.release();
    await first;
    slots.release();
    await plain;
    expect(order).toEqual(['priority', 'plain']);
  });

  test('while priority work runs, a quarter of the slots is kept for it; the others get them when it ends', async () => {
    const priority = new PriorityWork();
    const slots = new RequestSlots(8, priority);
    expect(slots.reserved).toBe(2);
    let endWork!: () => void;
    const work = priority.run(() => new Promise<void>((resolve) => (endWork = resolve)));
    const granted: string[] = [];
    const plain = Array.from({ length: 7 }, (_, n) => slots.acquire().then(() => granted.push(`plain ${n}`)));
    await settled();
    expect(granted).toHaveLength(6);
    // The two kept slots go to priority work's requests, and no further.
    const first = [slots.acquire(true), slots.acquire(true)];
    await Promise.all(first);
    let third = false;
    void slots.acquire(true).then(() => (third = true));
    await settled();
    expect(third).toBe(false);
    // Priority work ends with its slots held: the plain request still waits, for a release.
    endWork();
    await work;
    await settled();
    expect(granted).toHaveLength(6);
    slots.release();
    await settled();
    expect(third).toBe(true);
    slots.release();
    await Promise.all(plain);
    expect(granted).toHaveLength(7);
  });

  test('a request kept waiting by the reserve gets a free slot as soon as the priority work ends', async () => {
    const priority = new PriorityWork();
    const slots = new RequestSlots(4, priority);
    let endWork!: () => void;
    const work = priority.run(() => new Promise<void>((resolve) => (endWork = resolve)));
    await Promise.all([slots.acquire(), slots.acquire(), slots.acquire()]);
    let fourth = false;
    const waiting = slots.acquire().then(() => (fourth = true));
    await settled();
    expect(fourth).toBe(false);
    endWork();
    await work;
    await waiting;
    expect(fourth).toBe(true);
  });

  test('without priority work, every slot is for anyone', async () => {
    const slots = new RequestSlots(8, new PriorityWork());
    await Promise.all(Array.from({ length: 8 }, () => slots.acquire()));
    let ninth = false;
    void slots.acquire().then(() => (ninth = true));
    await settled();
    expect(ninth).toBe(false);
  });

  test('without priority, waiters are served in the order they came', async () => {
    const slots = new RequestSlots(1);
    await slots.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) => slots.acquire().then(() => order.push(n)));
    for (let i = 0; i < 3; i += 1) slots.release();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
  });
});
