/**
 * Which parts of the contract a run exercised, as the report holds it: built from the requests the checks sent
 * (suites/coverage.ts), merged across shards, rendered by the reporters.
 */

/** How one operation of the contract (a path and method) was exercised. */
export interface OperationCoverage {
  method: string;
  /** The path template, in its UUID form. */
  template: string;
  kind: 'collection' | 'instance' | 'singleton' | 'action';
  /** For an action: its name (`pause`). */
  action?: string;
  /** Requests sent to it, with any credentials. */
  requests: number;
  /** Responses by status (`"0"`: no response). */
  statuses: Record<string, number>;
  /** Every combination of addressing forms the path allows, e.g. `uuid/name`; and those sent. */
  forms: { possible: string[]; exercised: string[] };
  /** Rules whose checks sent it, or judged an answer of it that another rule's request got (a read shared between rules). */
  rules: string[];
  /** Why it was not exercised (or not in every form). */
  reason?: string;
}

/** Which parts of the contract the run exercised. */
export interface ContractCoverage {
  operations: OperationCoverage[];
  totals: {
    operations: { exercised: number; total: number };
    addressingForms: { exercised: number; total: number };
    actions: { exercised: number; total: number };
  };
  /** Requests whose method the contract does not list for the path they reached (HTTP-METHOD sends these on purpose). */
  outsideContract: { method: string; template: string; requests: number }[];
  /** Requests that matched no path of the contract, with a few examples. */
  unmatched: { requests: number; examples: string[] };
}

/** The totals of a coverage: operations, addressing forms and actions exercised, of those the contract has. */
export function coverageTotals(operations: readonly OperationCoverage[]): ContractCoverage['totals'] {
  const actions = operations.filter((op) => op.kind === 'action');
  return {
    operations: { exercised: operations.filter((op) => op.requests > 0).length, total: operations.length },
    addressingForms: {
      exercised: operations.reduce((sum, op) => sum + op.forms.exercised.length, 0),
      total: operations.reduce((sum, op) => sum + op.forms.possible.length, 0),
    },
    actions: {
      exercised: new Set(actions.filter((op) => op.requests > 0).map((op) => op.action)).size,
      total: new Set(actions.map((op) => op.action)).size,
    },
  };
}

/** Requests of one operation in one addressing form, as one rule sent them. */
export interface OperationTally {
  method: string;
  template: string;
  /** The forms label, e.g. `uuid/name`; empty for a path without instance levels. */
  forms: string;
  requests: number;
  statuses: Record<string, number>;
  /** For a collection read that answered a JSON array: the most items seen in one answer. */
  listedItems?: number;
}

/** What one rule's requests covered: plain data, carried from the worker to the reporter in the test's meta. */
export interface RequestTally {
  operations: OperationTally[];
  unmatched: { requests: number; examples: string[] };
}
