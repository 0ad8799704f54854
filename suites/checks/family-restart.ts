/**
 * The checks of the restart and re-creation family (RULES.md, Restart and re-creation). RECREATE-NEW-UUID comes
 * first: it needs no restart, so a restart that fails leaves it decided. The three RESTART rules share one restart.
 */
import type { ConformanceCheck } from '../check.js';
import { recreateNewUuidCheck } from './recreate-new-uuid.js';
import { restartNamesCheck } from './restart-names.js';
import { restartNewUuidsCheck } from './restart-new-uuids.js';
import { restartOld404Check } from './restart-old-404.js';

export const restartChecks: readonly ConformanceCheck[] = [recreateNewUuidCheck, restartNewUuidsCheck, restartOld404Check, restartNamesCheck];
