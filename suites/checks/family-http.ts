/** The checks of the HTTP and schema family (RULES.md, HTTP and schema). */
import type { ConformanceCheck } from '../check.js';
import { httpContentTypeCheck } from './http-content-type.js';
import { schemaResponseCheck } from './schema-response.js';
import { authRequiredCheck } from './auth-required.js';
import { httpMethodCheck } from './http-method.js';
import { httpNo500Check } from './http-no-500.js';
import { httpSafeGetCheck } from './http-safe-get.js';

export const httpChecks: readonly ConformanceCheck[] = [schemaResponseCheck, httpContentTypeCheck, httpSafeGetCheck, httpNo500Check, httpMethodCheck, authRequiredCheck];
