/** The registry of checks: one per rule, each in its own file named after the rule id. */
import type { ConformanceCheck } from '../check.js';
import { addrListCheck } from './addr-list.js';
import { addrMixedCheck } from './addr-mixed.js';
import { addrNameCheck } from './addr-name.js';
import { addrUnknownCheck } from './addr-unknown.js';
import { addrUuidCheck } from './addr-uuid.js';
import { httpContentTypeCheck } from './http-content-type.js';
import { schemaResponseCheck } from './schema-response.js';

/** Every registered check, in the order of RULES.md. A rule without a check here is absent from reports. */
export const checks: readonly ConformanceCheck[] = [
  addrUuidCheck,
  addrNameCheck,
  addrMixedCheck,
  addrListCheck,
  addrUnknownCheck,
  schemaResponseCheck,
  httpContentTypeCheck,
];
