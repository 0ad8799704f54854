/** The checks of the restart and re-creation family (RULES.md, Restart and re-creation). */
import type { ConformanceCheck } from '../check.js';

export const restartChecks: readonly ConformanceCheck[] = [];
