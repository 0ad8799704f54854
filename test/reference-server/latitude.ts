/**
 * Latitude: which way the reference server takes each freedom that LIVE-API.md §5 ("What this reading leaves
 * open") gives a server. Every freedom is one field below, with the §5 row it rests on; the server's code reads
 * that field at the single point the freedom affects. The default server takes each freedom one way
 * (DEFAULT_LATITUDE); the liberal server (`liberal: true`) takes every one of them the other way
 * (LIBERAL_LATITUDE), while staying correct by LIVE-API.md. A checker that passes the default server and fails
 * the liberal one rests a rule on something §5 leaves open.
 */
import { Random } from './data-set.js';

export interface LatitudeSettings {
  /** §5 "collection order": every read of a collection lists its members in a fresh random order. */
  shuffledCollections: boolean;
  /**
   * §5 "extra properties": every object of every 200 body (list items, sub-resources, nested objects such as a
   * segment's callerId) carries properties LIVE-API.md does not list. They are the same on every read.
   */
  extraProperties: boolean;
  /**
   * §4 "optional" properties (Extension `dnd`, Agent `penalty`): left out. The actions still change them; they
   * are merely not shown ("where the extension has dnd", "where the agent has penalty").
   */
  optionalPropertiesLeftOut: boolean;
  /** §5 "JSON media type": `application/json` without `; charset=utf-8` on every 200. */
  bareJsonMediaType: boolean;
  /** §5 "missing credentials": 403 without `WWW-Authenticate` instead of 401 with a Basic challenge. */
  forbiddenWithoutCredentials: boolean;
  /** §5 "error responses": every error status (4xx, 5xx) with no body at all. */
  bareErrors: boolean;
  /** §5 "error responses": 405 without an `Allow` header. */
  noAllowHeader: boolean;
  /**
   * §5 "originate: the caller's new segment" and "the destination's new segment": the `type` of both new
   * segments is the other one (EXTERNAL for a call to an extension of the server, INTERNAL for a call out), and
   * each segment's `callerId` names its own extension rather than the other party.
   */
  originateTypedOtherwise: boolean;
  /**
   * §5 "values with no written range": 412 for a `destination` that is empty or not a dialable number
   * (originate, transfer), a `returnTime` below -1, an empty `name` or `note` (status/set). Without it, they
   * are stored (or dialled) as sent and answer 204.
   */
  unrangedValuesRefused: boolean;
  /**
   * §5 "calls made by an action": they end by themselves this many ms after the action (they vanish from every
   * list and their UUIDs answer 404). null: they last until transferred away.
   */
  callLifetimeMs: number | null;
  /**
   * §4 transfer ("the segment is no longer listed under its former extension"): the transferred segment ends,
   * and a transfer to an extension of the server shows a new segment (a new UUID) there. Without it, the same
   * segment moves to the destination.
   */
  transferMakesNewSegment: boolean;
  /**
   * §5 "status after status/set": a set gives the status a new `id`, a `configurationId` of its own and
   * `userCreated: true`. Without it, those three stay as they were.
   */
  statusIdentityChangesOnSet: boolean;
  /**
   * §5 "which collections change on their own": with churn on, agents log in and out at their phones (a churn
   * agent is dynamic, logs out only by itself, and is left out of stateFingerprint and of what a restart
   * carries) and clients connect and disconnect (churn logins, likewise). Without it, churn changes volatile
   * properties and its own calls only.
   */
  spontaneousMembership: boolean;
}

/** How long a call made by an action lasts on the liberal server unless told otherwise (ms). */
export const DEFAULT_LIBERAL_CALL_LIFETIME_MS = 2500;

export const DEFAULT_LATITUDE: Readonly<LatitudeSettings> = Object.freeze({
  shuffledCollections: false,
  extraProperties: false,
  optionalPropertiesLeftOut: false,
  bareJsonMediaType: false,
  forbiddenWithoutCredentials: false,
  bareErrors: false,
  noAllowHeader: false,
  originateTypedOtherwise: false,
  unrangedValuesRefused: false,
  callLifetimeMs: null,
  transferMakesNewSegment: false,
  statusIdentityChangesOnSet: false,
  spontaneousMembership: false,
});

export const LIBERAL_LATITUDE: Readonly<LatitudeSettings> = Object.freeze({
  shuffledCollections: true,
  extraProperties: true,
  optionalPropertiesLeftOut: true,
  bareJsonMediaType: true,
  forbiddenWithoutCredentials: true,
  bareErrors: true,
  noAllowHeader: true,
  originateTypedOtherwise: true,
  unrangedValuesRefused: true,
  callLifetimeMs: DEFAULT_LIBERAL_CALL_LIFETIME_MS,
  transferMakesNewSegment: true,
  statusIdentityChangesOnSet: true,
  spontaneousMembership: true,
});

/** A destination a phone can dial: digits, with `*`, `#` and a leading `+`. */
const DIALABLE = /^\+?[0-9*#]+$/;

/** The extra properties every object gets under `extraProperties` (one nested object, one null, one array). */
function vendorProperties(): Record<string, unknown> {
  return {
    'x-vendor': { build: 'reference-liberal', flags: ['extra-properties'], origin: { node: 'ref-1', region: null } },
    'x-vendor-note': null,
  };
}

/** The latitude of one running server: its settings, and the PRNG stream that shuffles its collections. */
export class Latitude {
  readonly settings: Readonly<LatitudeSettings>;
  private readonly order: Random;

  constructor(settings: Readonly<LatitudeSettings>, seed: number) {
    this.settings = settings;
    this.order = new Random(seed ^ 0x0dde5);
  }

  /** The JSON body of a 200 as this server shows it: collections ordered, extra properties added. */
  present(body: unknown): unknown {
    let shown = this.settings.extraProperties ? withVendorProperties(body) : body;
    if (this.settings.shuffledCollections && Array.isArray(shown)) shown = this.order.sample(shown, shown.length);
    return shown;
  }

  /** Whether an originate or transfer destination is refused (412) as a value outside any dialable range. */
  refusesDestination(destination: string): boolean {
    return this.settings.unrangedValuesRefused && !DIALABLE.test(destination);
  }

  /** Whether a status/set with these values is refused (412) for values outside the written ranges' spirit. */
  refusesStatus(values: { name: string; note: string; returnTime: number }): boolean {
    return this.settings.unrangedValuesRefused && (values.name === '' || values.note === '' || values.returnTime < -1);
  }

  /** When a call made now by an action ends by itself (Unix ms), or null if it does not. */
  callEndsAt(now = Date.now()): number | null {
    return this.settings.callLifetimeMs === null ? null : now + this.settings.callLifetimeMs;
  }
}

function withVendorProperties(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withVendorProperties);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [k, withVendorProperties(v)]);
    return { ...Object.fromEntries(entries), ...vendorProperties() };
  }
  return value;
}
