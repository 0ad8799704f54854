/**
 * The configuration of the reference server: pure data (no UUIDs), generated deterministically from a seed.
 *
 * It plays the part of iSymphony's Configuration API: what exists (core servers, extensions, queues and their
 * members, users and their licences, conference rooms) plus the initial live facts a fresh start shows
 * (statuses, logins, a few calls). Live state (UUIDs, action effects) is built from it by live-state.ts.
 */

/** The status types LIVE-API.md lists for a user's status. */
export const STATUS_TYPES = [
  'available', 'unavailable', 'away', 'xa', 'dnd', 'chat',
  'altblue', 'altgreen', 'altpink', 'altpurple', 'altred',
] as const;
export type StatusType = (typeof STATUS_TYPES)[number];

/** The Asterisk device states an agent's `state` takes. */
export const DEVICE_STATES = [
  'UNKNOWN', 'NOT_INUSE', 'INUSE', 'BUSY', 'INVALID', 'UNAVAILABLE', 'RINGING', 'RINGINUSE', 'ONHOLD',
] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

export interface Configuration {
  seed: number;
  size: number;
  coreServers: CoreServerConfig[];
}

export interface CoreServerConfig {
  configurationId: string;
  slug: string;
  name: string;
  extensions: ExtensionConfig[];
  /** Enabled and disabled queues; disabled ones never reach the live API. */
  queues: QueueConfig[];
  /** Licensed and unlicensed users; unlicensed ones never reach the live API. */
  users: UserConfig[];
  conferences: ConferenceConfig[];
  /** Calls in progress when the server starts. */
  callSegments: CallSegmentConfig[];
}

export interface ExtensionConfig {
  configurationId: string;
  permissionId: string;
  extensionNumber: string;
  displayName: string;
  /** DND at start. */
  dnd: boolean;
}

export interface QueueConfig {
  configurationId: string;
  permissionId: string;
  identifier: string;
  displayName: string;
  enabled: boolean;
  members: QueueMemberConfig[];
}

/** A queue member: static members are configured, dynamic ones are logged in at start. */
export interface QueueMemberConfig {
  extensionNumber: string;
  dynamic: boolean;
  paused: boolean;
  penalty: number;
  callsTaken: number;
  talkTimeMs: number;
}

export interface UserConfig {
  configurationId: string;
  permissionId: string;
  userName: string;
  displayedName: string;
  licensed: boolean;
  extensionNumbers: string[];
  status: StatusConfig;
  logins: LoginConfig[];
}

export interface StatusConfig {
  /** A string id, stable per user (LIVE-API.md types it string, not uuid). */
  id: string;
  configurationId: string;
  name: string;
  type: StatusType;
  note: string;
  returnTime: number;
  userCreated: boolean;
}

export interface LoginConfig {
  ip: string;
  port: number;
  timeConnected: number;
}

export interface ConferenceConfig {
  configurationId: string;
  permissionId: string;
  identifier: string;
  displayName: string;
  dialString: string;
  userGenerated: boolean;
}

export interface CallSegmentConfig {
  extensionNumber: string;
  queueIdentifier: string | null;
  type: 'INTERNAL' | 'EXTERNAL';
  callerId: { id: string; name: string; number: string };
  did: string | null;
  onHold: boolean;
  recording: boolean;
  incoming: boolean;
}

export interface GenerateOptions {
  /** PRNG seed; the same seed and size always give the same configuration. */
  seed: number;
  /** 1 is small (about 8 extensions, 7 users, 3 enabled queues per core server); N multiplies those counts. */
  size: number;
}

/** A small, fast, seedable PRNG (mulberry32): good enough for test data, and reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Helpers over one PRNG stream. */
export class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** k distinct items, in a random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < k && pool.length > 0) out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]);
    return out;
  }
  /** A version-4-shaped UUID made from this stream (for data that must merely look like a UUID). */
  uuidShaped(): string {
    const hex = (n: number) => Array.from({ length: n }, () => this.int(0, 15).toString(16)).join('');
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${this.pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
  }
}

/** All times in the data set are offsets from this fixed instant, so the data set does not depend on the clock. */
export const DATA_SET_EPOCH_MS = 1_700_000_000_000;

const FIRST_NAMES = ['Alice', 'Bruno', 'Chloé', 'Dmitri', 'Emma', 'Farid', 'Greta', 'Hiro', 'Ines', 'Jonas', 'Kofi', 'Lena'];
const LAST_NAMES = ['Smith', 'Keller', 'Dubois', 'Ivanov', 'Rossi', 'Haddad', 'Berg', 'Tanaka', 'Silva', 'Novak'];

/** Status presets: the configured statuses a user can have at start. */
const STATUS_PRESETS: ReadonlyArray<Omit<StatusConfig, 'id' | 'returnTime'> & { returnInMs: number }> = [
  { configurationId: '1', name: 'Available', type: 'available', note: '', returnInMs: -1, userCreated: false },
  { configurationId: '2', name: 'Lunch', type: 'away', note: 'back at 1 pm', returnInMs: 3_600_000, userCreated: false },
  { configurationId: '3', name: 'On vacation', type: 'xa', note: '', returnInMs: 7 * 86_400_000, userCreated: false },
  { configurationId: '4', name: 'Do not disturb', type: 'dnd', note: 'in a meeting', returnInMs: -1, userCreated: false },
  { configurationId: '5', name: 'Working from home', type: 'altblue', note: '', returnInMs: -1, userCreated: true },
];

/** Per core server: slug, name, and the queue identifiers of size 1 (last one disabled). */
const CORE_SERVERS = [
  { slug: 'main', name: 'Main office', queues: ['sales', 'support', 'billing', 'archive'] },
  { slug: 'branch', name: 'Branch office', queues: ['sales', 'support', 'überlauf', 'legacy'] },
] as const;

/** Hands out configuration ids and permission ids: unique across the whole configuration. */
class ConfigIds {
  private n = 1000;
  next(kind: string): { configurationId: string; permissionId: string } {
    this.n += 1;
    return { configurationId: String(this.n), permissionId: `${kind}.${(Math.imul(this.n, 2654435761) >>> 0).toString(16)}` };
  }
}

/** Build the configuration for a seed and a size. */
export function generateConfiguration(options: GenerateOptions): Configuration {
  const size = Math.max(1, Math.floor(options.size));
  const rng = new Random(options.seed);
  const ids = new ConfigIds();
  const coreServers = CORE_SERVERS.map((cs, index) => generateCoreServer(rng, ids, size, index));
  return { seed: options.seed, size, coreServers };
}

function generateCoreServer(rng: Random, ids: ConfigIds, size: number, index: number): CoreServerConfig {
  const template = CORE_SERVERS[index];
  const extensions = generateExtensions(rng, ids, size, index);
  const numbers = extensions.map((e) => e.extensionNumber);
  const hiddenNumber = numbers[7 - index];
  const users = generateUsers(rng, ids, size, numbers, hiddenNumber, index);
  const queues = generateQueues(rng, ids, size, template.queues, numbers, hiddenNumber);
  return {
    configurationId: ids.next('coreServer').configurationId,
    slug: template.slug,
    name: template.name,
    extensions,
    queues,
    users,
    conferences: generateConferences(rng, ids, size),
    callSegments: generateCallSegments(rng, extensions, queues, hiddenNumber, size),
  };
}

/**
 * 8×size extensions numbered from 100, the same numbers on every core server (so that a number alone does not
 * identify an extension), plus one number that only this core server has (108 on the first, 109 on the second).
 */
function generateExtensions(rng: Random, ids: ConfigIds, size: number, index: number): ExtensionConfig[] {
  const count = 8 * size;
  const numbers = Array.from({ length: count }, (_, i) => String(100 + i));
  numbers.push(String(100 + count + index));
  return numbers.map((extensionNumber) => ({
    ...ids.next('extension'),
    extensionNumber,
    displayName: `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`,
    dnd: rng.chance(0.15),
  }));
}

interface UserSeed {
  userName: string;
  displayedName: string;
  licensed: boolean;
  extensionNumbers: string[];
}

/**
 * The users every core server has, chosen to exercise name addressing: a space, a `+`, non-ASCII letters, a
 * `%`, a UUID-shaped name, the literal `getByName`; two with several extensions; two unlicensed ones (one owns
 * an extension alone, which hides that extension; one shares an extension with a licensed user, which does not).
 */
function specialUsers(rng: Random, numbers: string[], hiddenNumber: string): UserSeed[] {
  const n = (i: number) => numbers[i];
  const onlyHere = numbers[numbers.length - 1];
  return [
    { userName: 'john doe', displayedName: 'John Doe', licensed: true, extensionNumbers: [n(0), n(1), n(2)] },
    { userName: 'a+b', displayedName: 'A+B', licensed: true, extensionNumbers: [n(3)] },
    { userName: 'zoë', displayedName: 'Zoë Müller', licensed: true, extensionNumbers: [n(4), n(5)] },
    { userName: 'José', displayedName: 'José García', licensed: true, extensionNumbers: [n(5)] },
    { userName: '100%sure', displayedName: '100% Sure', licensed: true, extensionNumbers: [n(2)] },
    { userName: rng.uuidShaped(), displayedName: 'UUID-named user', licensed: true, extensionNumbers: [onlyHere] },
    { userName: 'getByName', displayedName: 'Get By Name', licensed: true, extensionNumbers: [n(1)] },
    { userName: 'ghost', displayedName: 'Ghost (unlicensed)', licensed: false, extensionNumbers: [hiddenNumber] },
    { userName: 'intern', displayedName: 'Intern (unlicensed)', licensed: false, extensionNumbers: [n(3)] },
  ];
}

function generateUsers(rng: Random, ids: ConfigIds, size: number, numbers: string[], hiddenNumber: string, index: number): UserConfig[] {
  const seeds = specialUsers(rng, numbers, hiddenNumber);
  // Larger sizes: more users on the extensions above the first eight (never on the hidden one, which must stay
  // bound to unlicensed users only).
  const extra = numbers.slice(8, numbers.length - 1);
  for (let k = 1; k < size; k += 1) {
    for (let j = 0; j < 8; j += 1) {
      const first = rng.pick(FIRST_NAMES);
      const last = rng.pick(LAST_NAMES);
      seeds.push({
        userName: `${first.toLowerCase()}.${last.toLowerCase()}.${k}${j}`,
        displayedName: `${first} ${last}`,
        licensed: j !== 7,
        extensionNumbers: rng.sample(extra, rng.int(1, 2)),
      });
    }
  }
  return seeds.map((seed, i) => {
    const configured = ids.next('user');
    return {
      ...configured,
      ...seed,
      status: generateStatus(rng, `status-${index + 1}-${i + 1}`),
      logins: generateLogins(rng, index),
    };
  });
}

function generateStatus(rng: Random, id: string): StatusConfig {
  const { returnInMs, ...preset } = rng.pick(STATUS_PRESETS);
  return { id, ...preset, returnTime: returnInMs < 0 ? -1 : DATA_SET_EPOCH_MS + returnInMs };
}

function generateLogins(rng: Random, index: number): LoginConfig[] {
  return Array.from({ length: rng.int(1, 3) }, () => ({
    ip: `10.${index}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
    port: rng.int(1024, 65535),
    timeConnected: DATA_SET_EPOCH_MS - rng.int(0, 8 * 3_600_000),
  }));
}

/**
 * 3×size enabled and size disabled queues. The first extension is an agent of every queue (several queues per
 * extension); each queue has a static and a dynamic member at least; the hidden extension is a member of the
 * first queue (and must not show up live).
 */
function generateQueues(
  rng: Random, ids: ConfigIds, size: number, base: readonly string[], numbers: string[], hiddenNumber: string,
): QueueConfig[] {
  const queues: QueueConfig[] = [];
  for (let k = 0; k < size; k += 1) {
    base.forEach((identifier, i) => {
      const name = k === 0 ? identifier : `${identifier}-${k}`;
      const others = numbers.filter((n) => n !== numbers[0] && n !== hiddenNumber);
      const memberNumbers = [numbers[0], ...rng.sample(others, rng.int(1, 3))];
      if (k === 0 && i === 0) memberNumbers.push(hiddenNumber);
      queues.push({
        ...ids.next('queue'),
        identifier: name,
        displayName: name.charAt(0).toUpperCase() + name.slice(1),
        enabled: i < base.length - 1,
        members: memberNumbers.map((extensionNumber, m) => ({
          extensionNumber,
          dynamic: m === 0 ? false : m === 1 ? true : rng.chance(0.5),
          paused: rng.chance(0.3),
          penalty: rng.int(0, 3),
          callsTaken: rng.int(0, 40),
          talkTimeMs: rng.int(0, 3_600_000),
        })),
      });
    });
  }
  return queues;
}

function generateConferences(rng: Random, ids: ConfigIds, size: number): ConferenceConfig[] {
  const names = ['Board room', 'Team huddle'];
  return Array.from({ length: 2 * size }, (_, i) => {
    const identifier = String(9000 + i);
    return {
      ...ids.next('conference'),
      identifier,
      displayName: i < names.length ? names[i] : `Room ${identifier}`,
      dialString: `ConfBridge(${identifier})`,
      userGenerated: i % 2 === 1 || rng.chance(0.1),
    };
  });
}

/** A few calls per core server: an external incoming one, a queue call, and an internal call (two segments). */
function generateCallSegments(
  rng: Random, extensions: ExtensionConfig[], queues: QueueConfig[], hiddenNumber: string, size: number,
): CallSegmentConfig[] {
  const visible = extensions.filter((e) => e.extensionNumber !== hiddenNumber);
  const segments: CallSegmentConfig[] = [];
  for (let k = 0; k < size; k += 1) {
    const [a, b, c] = rng.sample(visible, 3);
    const queue = queues.filter((q) => q.enabled)[k % 3];
    const external = `+1555${rng.int(1_000_000, 9_999_999)}`;
    segments.push(
      {
        extensionNumber: a.extensionNumber, queueIdentifier: null, type: 'EXTERNAL',
        callerId: { id: external, name: 'Outside caller', number: external }, did: '+15550100',
        onHold: false, recording: rng.chance(0.5), incoming: true,
      },
      {
        extensionNumber: queue.members[0].extensionNumber, queueIdentifier: queue.identifier, type: 'EXTERNAL',
        callerId: { id: `${external}1`, name: 'Queue caller', number: `${external}1` }, did: '+15550200',
        onHold: rng.chance(0.3), recording: false, incoming: true,
      },
      {
        extensionNumber: b.extensionNumber, queueIdentifier: null, type: 'INTERNAL',
        callerId: { id: c.configurationId, name: c.displayName, number: c.extensionNumber }, did: null,
        onHold: false, recording: false, incoming: false,
      },
      {
        extensionNumber: c.extensionNumber, queueIdentifier: null, type: 'INTERNAL',
        callerId: { id: b.configurationId, name: b.displayName, number: b.extensionNumber }, did: null,
        onHold: false, recording: false, incoming: true,
      },
    );
  }
  return segments;
}
