/**
 * A finding as the report holds it: the typed failure of a rule, what was sent, what came back and how to send it
 * again. Checks make findings (suites/finding.ts); renderers read them.
 */

/** One request of a finding, as the JSON report shows it. */
export interface RecordedRequest {
  method: string;
  /** The full URL that was requested. */
  url: string;
  /** The response status; 0 when no response came (timeout, reset, refused). */
  status: number;
  /** The request body sent, when there was one. */
  requestBody?: string;
  /** The response body (parsed JSON where it was JSON, else text, capped). */
  body?: unknown;
  /** The response's Content-Type. */
  contentType?: string;
  /** What went wrong on the wire, when no response came. */
  transportError?: string;
}

/** A finding as it is stored in the report. */
export interface Finding {
  message: string;
  expected: string;
  actual: string;
  requests: RecordedRequest[];
  /** One shell-quoted curl line per request, credentials as $ISYM_USER:$ISYM_PASSWORD. */
  curl: string[];
  /** The fast-check seed of the run that found it. */
  seed?: number;
  /** The fast-check path of the shrunk counterexample; with the seed it rebuilds the case. */
  path?: string;
  /** The shrunk counterexample, as JSON. */
  counterexample?: unknown;
  /** The property (within the rule) that found it, for --replay. */
  property?: string;
  /**
   * The contract operations its requests were sent to (`GET /coreServers/{coreServerId}/users/{userId}`), sorted,
   * instances aside: --baseline matches a failure by them, so the same fault met on another instance stays known.
   */
  operations?: string[];
  provenance?: 'doc' | 'inferred';
}
