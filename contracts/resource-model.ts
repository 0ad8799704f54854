/**
 * The typed resource model built from the contract: the tree of collections, instance paths, singleton
 * sub-resources and actions, with what each resource's symbolic name, identity and volatile properties are.
 * The suites read only this model (and the raw schemas it carries), never the YAML itself.
 */

/** Where an element of the contract comes from: the vendor documentation, or the project's inference. */
export type Provenance = 'doc' | 'inferred';

/** A JSON Schema object as it stands in the dereferenced contract. */
export type JsonSchema = Record<string, unknown>;

/** One kind of object of the API (a component schema of the contract), e.g. `Extension`. */
export interface ResourceType {
  /** The component schema's name, e.g. `Extension`. */
  name: string;
  /** The dereferenced JSON Schema of one instance. */
  schema: JsonSchema;
  /** The property that `getByName/{name}` matches; undefined when the resource is addressed by UUID only. */
  nameProperty?: string;
  /** Properties that must never differ between two addressing forms of one instance (`x-identity`). */
  identityProperties: string[];
  /** Properties that live telephony changes at any moment (`x-volatile`): never compared between reads. */
  volatileProperties: string[];
  /** Properties typed `format: uuid` (checked by ID-FORMAT). */
  uuidProperties: string[];
  /**
   * Live telephony adds and removes instances on its own (`x-live-membership`, LIVE-API.md §5 "which collections
   * change on their own"): two reads of a collection of it may list different members.
   */
  liveMembership: boolean;
  /** `inferred` when the schema itself is marked so. */
  provenance: Provenance;
}

/** One segment of a path template. */
export type PathSegment =
  | { kind: 'literal'; text: string }
  | {
      kind: 'instance';
      /** The path parameter's name, e.g. `extensionId`. */
      parameter: string;
      /** The resource the parameter identifies (`x-resource`). */
      resource: ResourceType;
      /** Set when this level may also be written `getByName/{name}` (`x-name-property`). */
      nameProperty?: string;
      provenance: Provenance;
    };

/** What every node of the path tree has. */
export interface PathNodeBase {
  /** The path template relative to the API base, in its UUID form, e.g. `/coreServers/{coreServerId}/queues`. */
  template: string;
  /** JSON pointer of the path item in the contract. */
  pointer: string;
  segments: PathSegment[];
  /** `inferred` when the path item, its operation or any of its parameters is marked so. */
  provenance: Provenance;
  /** HTTP methods the contract lists for this path, lower case. */
  methods: string[];
}

/** A GET that answers a bare JSON array of instances. */
export interface CollectionNode extends PathNodeBase {
  kind: 'collection';
  resource: ResourceType;
  /** The instance path under which this collection hangs; undefined for a top-level collection. */
  parent?: InstanceNode;
  /** The instance path of one item of this collection, when the contract lists it. */
  item?: InstanceNode;
  /** The dereferenced schema of the 200 body. */
  responseSchema: JsonSchema;
}

/** `{collection}/{id}`: one instance of a collection. */
export interface InstanceNode extends PathNodeBase {
  kind: 'instance';
  resource: ResourceType;
  collection: CollectionNode;
  responseSchema: JsonSchema;
}

/** A GET under an instance that answers one object and is no collection, e.g. `{user}/status`. */
export interface SingletonNode extends PathNodeBase {
  kind: 'singleton';
  /** The instance the singleton belongs to. */
  owner: InstanceNode;
  /** The resource, when the body is a known component schema (e.g. `{agent}/extension` is an Extension). */
  resource?: ResourceType;
  responseSchema: JsonSchema;
}

/** The `x-action` extension of an action's POST operation, as written in the contract. */
export interface ActionDefinition {
  /** The action's name, shared by the same action on different paths (e.g. `pause`). */
  name: string;
  [key: string]: unknown;
}

/** A POST that runs an action. */
export interface ActionNode extends PathNodeBase {
  kind: 'action';
  operationId?: string;
  /** The node the action acts on: the instance or singleton its path hangs under. */
  owner: InstanceNode | SingletonNode;
  /** The nearest instance node at or above the owner (the user of `{user}/status/set`). */
  ownerInstance: InstanceNode;
  /** The dereferenced JSON Schema of the request body; undefined when the action takes none. */
  requestSchema?: JsonSchema;
  /** Whether the contract marks the request body required. */
  requestBodyRequired: boolean;
  /** The `x-action` extension as written. */
  definition: ActionDefinition;
  /** The `x-action` effects, conditions and body references, parsed and checked (contracts/action-effects.ts). */
  effects: ActionEffects;
}

export type PathNode = CollectionNode | InstanceNode | SingletonNode | ActionNode;

/** Everything the suites need to know about the API. */
export interface ResourceModel {
  resources: Map<string, ResourceType>;
  collections: CollectionNode[];
  instances: InstanceNode[];
  singletons: SingletonNode[];
  actions: ActionNode[];
  /** Every path of the contract, in contract order. */
  nodes: PathNode[];
}

/** How one level of a path is written: by UUID, or `getByName/{name}`. */
export type AddressingForm = 'uuid' | 'name';

/** What is known of one instance along a path: its UUID and, where it has one, its symbolic name. */
export interface InstanceRef {
  id: string;
  name?: string;
}

/** The instance segments of a node, in order. */
export function instanceSegments(node: PathNodeBase): Extract<PathSegment, { kind: 'instance' }>[] {
  return node.segments.filter((segment): segment is Extract<PathSegment, { kind: 'instance' }> => segment.kind === 'instance');
}

/** Levels of a node that may be written `getByName`: their indexes among the instance segments. */
export function nameCapableLevels(node: PathNodeBase): number[] {
  return instanceSegments(node).flatMap((segment, index) => (segment.nameProperty ? [index] : []));
}

/**
 * Writes a concrete path for `node`: one ref and one form per instance segment. A name is percent-encoded
 * as any path segment. Throws when a level asked by name has no name.
 */
export function buildPath(node: PathNodeBase, refs: InstanceRef[], forms?: AddressingForm[]): string {
  const levels = instanceSegments(node);
  if (refs.length !== levels.length) {
    throw new Error(`buildPath: ${node.template} needs ${levels.length} instance refs, got ${refs.length}.`);
  }
  let level = 0;
  const parts = node.segments.map((segment) => {
    if (segment.kind === 'literal') return segment.text;
    const ref = refs[level];
    const form = forms?.[level] ?? 'uuid';
    level += 1;
    if (form === 'uuid') return encodeURIComponent(ref.id);
    if (!segment.nameProperty || ref.name === undefined) {
      throw new Error(`buildPath: level {${segment.parameter}} of ${node.template} cannot be addressed by name.`);
    }
    return `getByName/${encodeURIComponent(ref.name)}`;
  });
  return `/${parts.join('/')}`;
}

/** A short label of the forms used, e.g. `uuid/name/uuid`. */
export function formsLabel(forms: AddressingForm[]): string {
  return forms.join('/');
}

// The effect language of `x-action`, parsed (contracts/action-effects.ts): what an action changes, and when it answers 409.

/** The collections of one path template, some of whose parameters are bound to body references. */
export interface CollectionRef {
  /** The collection's path template, e.g. `/coreServers/{coreServerId}/queues/{queueId}/agents`. */
  template: string;
  node: CollectionNode;
  /**
   * Path parameter → body property (a body reference) whose named instance fills it. A parameter neither bound
   * here nor in the action's own path is free: it ranges over every instance (where the language allows it).
   */
  bind: Record<string, string>;
  /** The parameters of the template that are neither bound nor in the action's path. */
  free: string[];
}

/** A property's value after the action. */
export type ValueSpec =
  | { kind: 'const'; value: unknown; ifPresent: boolean }
  /** The value of a request body property, or `default` when the body leaves it out (no default: unchanged). */
  | { kind: 'from'; property: string; hasDefault: boolean; default?: unknown; ifPresent: boolean };

/** Which instance a condition or a removal is about. */
export type InstanceSelector =
  /** The instance (or singleton) the action is posted on. */
  | { kind: 'self' }
  /** The instance listed in every one of these collections (e.g. the agent of extension E in queue Q). */
  | { kind: 'memberOf'; collections: CollectionRef[] };

/** A state of the target, evaluated before the action. */
export type Condition =
  | { kind: 'exists'; selector: Extract<InstanceSelector, { kind: 'memberOf' }> }
  | { kind: 'missing'; selector: Extract<InstanceSelector, { kind: 'memberOf' }> }
  | { kind: 'property'; of: InstanceSelector; name: string; equals: unknown }
  | { kind: 'listedIn'; of: InstanceSelector; collection: CollectionRef }
  | { kind: 'resolves'; bodyRef: string }
  | { kind: 'unresolved'; bodyRef: string };

/** Where a `set` writes. */
export type SetTarget = { kind: 'self' } | { kind: 'singleton'; node: SingletonNode };

/** One effect of an action. */
export type ActionEffect =
  | { kind: 'set'; target: SetTarget; values: Record<string, ValueSpec>; when?: Condition }
  | {
      kind: 'create';
      resource: ResourceType;
      /** Every collection the new instance appears in (no free parameters). */
      in: CollectionRef[];
      values: Record<string, ValueSpec>;
      /** Live telephony may end the new instance at any time after it appeared (a call). */
      transient: boolean;
      when?: Condition;
    }
  | {
      kind: 'remove';
      target: InstanceSelector;
      /** Undefined: gone from every collection, and its UUID answers 404. Else: no longer listed in these (those that listed it). */
      from?: CollectionRef[];
      when?: Condition;
    };

/** A body property that names an instance by its symbolic name. */
export interface BodyRef {
  property: string;
  /** The collection the name is looked up in, its parameters filled from the action's path. */
  collection: CollectionRef;
  resource: ResourceType;
  /** What a name the collection does not hold means: a 404, or a destination outside the server. */
  unknown: 'notFound' | 'outside';
}

/** The parsed `x-action` of one action. */
export interface ActionEffects {
  bodyRefs: Record<string, BodyRef>;
  effects: ActionEffect[];
  /** The action answers 409 (and changes nothing) when any of these holds. */
  conflicts: Condition[];
  /** The checker acts only on instances it created itself (live calls of real people are left alone). */
  onlyOnCreated: boolean;
}
