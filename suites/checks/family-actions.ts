/** The checks of the actions family (RULES.md, Actions). */
import type { ConformanceCheck } from '../check.js';
import { actAddressingCheck } from './act-addressing.js';
import { actBadBodyCheck } from './act-bad-body.js';
import { actConflictCheck } from './act-conflict.js';
import { actEffectCheck } from './act-effect.js';
import { actIdentityCheck } from './act-identity.js';
import { actIsolationCheck } from './act-isolation.js';
import { actSequencesCheck } from './act-sequences.js';
import { actUnknownCheck } from './act-unknown.js';

export const actionsChecks: readonly ConformanceCheck[] = [
  actEffectCheck,
  actAddressingCheck,
  actUnknownCheck,
  actBadBodyCheck,
  actConflictCheck,
  actIsolationCheck,
  actIdentityCheck,
  actSequencesCheck,
];
