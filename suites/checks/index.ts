/**
 * The registry of checks: one per rule, each in its own file named after the rule id, listed by family in
 * family-*.ts. A rule without a registered check is absent from reports.
 */
import type { ConformanceCheck } from '../check.js';
import { actionsChecks } from './family-actions.js';
import { addressingChecks } from './family-addressing.js';
import { httpChecks } from './family-http.js';
import { restartChecks } from './family-restart.js';

export const checks: readonly ConformanceCheck[] = [...addressingChecks, ...restartChecks, ...actionsChecks, ...httpChecks];
