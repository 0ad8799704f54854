/** The checks of the HTTP and schema family (RULES.md, HTTP and schema). */
import type { ConformanceCheck } from '../check.js';
import { httpContentTypeCheck } from './http-content-type.js';
import { schemaResponseCheck } from './schema-response.js';

export const httpChecks: readonly ConformanceCheck[] = [schemaResponseCheck, httpContentTypeCheck];
