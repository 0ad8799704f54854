/**
 * The effect model: from the contract's `x-action` effects alone, what an action posted on the arena must answer
 * and how the arena's state must change. No action is known here by name; a vendor who adds an action with its
 * effect to the contract gets it modelled. Its rooms, one idea each:
 *
 * - `body-validation.ts`: whether a body fits its action's request schema, and values LIVE-API.md leaves open;
 * - `prediction.ts`: `predict` (the status and the changes, from a state) and `scopeOf` (what must be read);
 * - `expected-outcome.ts`: `expectedAfter` applies a prediction, learning created ids from the target;
 * - `state-comparison.ts`: `compareStates` says where the target differs, targets apart from bystanders;
 * - `moved-on-its-own.ts`: when live telephony, not the target, explains an answer other than the predicted one.
 *
 * This file is the family's front: the rest of the checker imports the model from here.
 */
export { bodyProblem, unrangedValue } from './body-validation.js';
export { ownerOf, predict, refOfItem, scopeOf } from './prediction.js';
export type { ExpectedCreate, ExpectedRemove, ExpectedSet, ExpectedStatus, ExpectedValue, OwnerRef, Prediction } from './prediction.js';
export { expectedAfter, type ExpectedOutcome } from './expected-outcome.js';
export { changesState, comparedProperties, compareStates, describeDifference, resourceLookup, type Difference, type ResourceLookup } from './state-comparison.js';
export { adoptLiveMembership, conflictMayHaveFlickered, endedOnItsOwn, refusalMovedOnItsOwn, stateMovedOnItsOwn } from './moved-on-its-own.js';
