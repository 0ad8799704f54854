/** The checks of the actions family (RULES.md, Actions). */
import type { ConformanceCheck } from '../check.js';

export const actionsChecks: readonly ConformanceCheck[] = [];
