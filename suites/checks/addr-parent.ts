import type { ConformanceCheck } from '../check.js';
import { checkForeignParentActions } from './addr-parent/foreign-parent-actions.js';
import { checkForeignParentReads } from './addr-parent/foreign-parent-reads.js';
import { checkHoldersAgree } from './addr-parent/holders-agree.js';

/**
 * ADDR-PARENT: an instance is reached only under the parents that hold it. Under a parent whose collection, read
 * fresh, does not list it, every mix of UUID / getByName answers 404 (or, for a name form, the parent's own instance
 * of that name); under each parent that lists it, it is the same instance; and an action addressed under a foreign
 * parent answers 404 and changes nothing. Each property lives in `addr-parent/`.
 */
export const addrParentCheck: ConformanceCheck = {
  ruleId: 'ADDR-PARENT',
  async run(context) {
    // The actions first: they are the part that changes state, done in the rule's turn, which the rules that act
    // after it wait for; the reads then run beside them.
    await context.inWriterTurn(() => checkForeignParentActions(context, context.model));
    await checkForeignParentReads(context, context.model);
    await checkHoldersAgree(context);
  },
};
