/** The checks of the addressing family (RULES.md, Addressing). */
import type { ConformanceCheck } from '../check.js';
import { addrListCheck } from './addr-list.js';
import { addrMixedCheck } from './addr-mixed.js';
import { addrNameCheck } from './addr-name.js';
import { addrParentCheck } from './addr-parent.js';
import { addrUnknownCheck } from './addr-unknown.js';
import { addrUuidCheck } from './addr-uuid.js';
import { addrEncodingCheck } from './addr-encoding.js';
import { idFormatCheck } from './id-format.js';
import { idUniqueCheck } from './id-unique.js';
import { nameUniqueCheck } from './name-unique.js';

export const addressingChecks: readonly ConformanceCheck[] = [addrUuidCheck, addrNameCheck, addrMixedCheck, addrListCheck, addrUnknownCheck, addrParentCheck, addrEncodingCheck, idFormatCheck, idUniqueCheck, nameUniqueCheck];
