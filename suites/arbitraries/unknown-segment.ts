import fc from 'fast-check';
import { malformedIds } from '../probe-paths.js';

/** How an unknown instance is written at one level of a path. */
export type UnknownSegment =
  | { kind: 'random-uuid'; value: string }
  | { kind: 'malformed-uuid'; value: string }
  | { kind: 'near-miss-name'; value: string; variant: string; others: { value: string; variant: string }[] };

/** A random RFC 4122 UUID: well-formed, and (with overwhelming odds) unknown to the target. */
export function randomUuidSegment(): fc.Arbitrary<UnknownSegment> {
  return fc.uuid({ version: 4 }).map((value) => ({ kind: 'random-uuid' as const, value }));
}

/** Ids that are not UUID-shaped, some of them close to the real id `realId`. */
export function malformedUuidSegment(realId: string): fc.Arbitrary<UnknownSegment> {
  return fc.constantFrom(...malformedIds(realId)).map((value) => ({ kind: 'malformed-uuid' as const, value }));
}

/** Names near the real `name`: a prefix, a suffix, the other case, a trailing space. */
export function nearMissNames(name: string): { value: string; variant: string }[] {
  const swapped = [...name].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
  const candidates = [
    { value: name.slice(0, -1), variant: 'prefix' },
    { value: `${name}x`, variant: 'suffix' },
    { value: swapped, variant: 'other case' },
    { value: `${name} `, variant: 'trailing space' },
    { value: `x${name}`, variant: 'leading character' },
  ];
  return candidates.filter((candidate) => candidate.value.length > 0 && candidate.value !== name);
}
