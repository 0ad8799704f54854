/**
 * The effect language of the `x-action` extension, parsed into typed structures: what an action changes (which
 * object, which property takes which value, which objects appear or disappear), which body property names which
 * resource, and in which states the action answers 409. The JSON Schema of the raw form is
 * `extensions.schema.json#/$defs/x-action`; contracts/README.md ("Actions") describes it for vendors.
 *
 * The parser checks what a schema cannot: that every path template is a collection of the contract, that every
 * path parameter of a template is bound (by the action's own path, or by a body reference of the same resource),
 * that properties exist in the schemas they name. Errors carry the JSON pointer of the offending element.
 */
import { ContractError } from './contract-error.js';
import type {
  ActionEffect,
  ActionEffects,
  BodyRef,
  CollectionNode,
  CollectionRef,
  Condition,
  InstanceSelector,
  JsonSchema,
  PathSegment,
  ResourceType,
  SetTarget,
  SingletonNode,
  ValueSpec,
} from './resource-model.js';

/** What the parser needs to know of the action and of the rest of the model. */
export interface ActionEffectsScope {
  /** The parameters of the action's own path. */
  pathParameters: string[];
  /** The resource (or singleton) the action is posted on. */
  ownerSchema: JsonSchema;
  /** The instance node at or above the owner, to find singleton sub-resources. */
  ownerInstanceTemplate: string;
  requestSchema?: JsonSchema;
  collections: CollectionNode[];
  singletons: SingletonNode[];
  /** The properties of an object schema (following allOf). */
  propertiesOf(schema: JsonSchema): Record<string, JsonSchema>;
}

type Raw = Record<string, unknown>;

function fail(pointer: string, message: string): never {
  throw new ContractError('CONTRACT_EXTENSION_INVALID', message, pointer);
}

function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function parametersOf(segments: PathSegment[]): Extract<PathSegment, { kind: 'instance' }>[] {
  return segments.filter((s): s is Extract<PathSegment, { kind: 'instance' }> => s.kind === 'instance');
}

/** Parses the `x-action` of one action; throws a ContractError with the pointer of what is wrong. */
export function parseActionEffects(raw: Raw, pointer: string, scope: ActionEffectsScope): ActionEffects {
  const parser = new ActionEffectsParser(scope);
  // The body references first: the effects' bindings and conditions name them.
  for (const [property, spec] of Object.entries((raw.bodyRefs ?? {}) as Record<string, Raw>)) {
    parser.addBodyRef(property, spec, `${pointer}/bodyRefs/${escape(property)}`);
  }
  const effects = ((raw.effects ?? []) as Raw[]).map((spec, index) => parser.effect(spec, `${pointer}/effects/${index}`));
  const conflicts = ((raw.conflicts ?? []) as unknown[]).map((spec, index) => parser.condition(spec, `${pointer}/conflicts/${index}`));
  return { bodyRefs: parser.bodyRefs, effects, conflicts, onlyOnCreated: raw.onlyOnCreated === true };
}

/** The parts of one action's `x-action`, each checked against the contract (`scope`) and the body references declared so far. */
class ActionEffectsParser {
  readonly bodyRefs: Record<string, BodyRef> = {};
  private readonly bodyProperties: Record<string, JsonSchema>;

  constructor(private readonly scope: ActionEffectsScope) {
    this.bodyProperties = scope.requestSchema ? scope.propertiesOf(scope.requestSchema) : {};
  }

  /** A body property that names an instance of a collection (bodyRefs). */
  addBodyRef(property: string, spec: Raw, at: string): void {
    if (!(property in this.bodyProperties)) fail(at, `"${property}" must be a property of the action's request body.`);
    const collection = this.collectionRef(spec.collection, `${at}/collection`, false);
    if (Object.keys(collection.bind).length > 0) fail(`${at}/collection`, 'the collection of a body reference is bound by the action\'s path only.');
    if (!collection.node.resource.nameProperty) fail(`${at}/collection`, `${collection.node.resource.name} has no symbolic name (x-name-property) to be named by.`);
    this.bodyRefs[property] = { property, collection, resource: collection.node.resource, unknown: spec.unknown === 'outside' ? 'outside' : 'notFound' };
  }

  /** A collection by its template, its parameters bound by the action's path or by body references (or left free when `allowFree`). */
  collectionRef(value: unknown, at: string, allowFree: boolean): CollectionRef {
    const spec = typeof value === 'string' ? { path: value } : (value as Raw);
    const template = String(spec.path);
    const node = this.scope.collections.find((c) => c.template === template);
    if (!node) fail(at, `"${template}" must be the path template of a collection of the contract.`);
    const bind = (spec.bind ?? {}) as Record<string, string>;
    const parameters = parametersOf(node.segments);
    for (const [parameter, property] of Object.entries(bind)) {
      const segment = parameters.find((p) => p.parameter === parameter);
      if (!segment) fail(`${at}/bind/${escape(parameter)}`, `{${parameter}} must be a parameter of ${template}.`);
      const ref = this.bodyRefs[property];
      if (!ref) fail(`${at}/bind/${escape(parameter)}`, `"${property}" must be declared in bodyRefs.`);
      if (ref.resource !== segment.resource) {
        fail(`${at}/bind/${escape(parameter)}`, `{${parameter}} identifies a ${segment.resource.name}, but bodyRefs.${property} names a ${ref.resource.name}.`);
      }
    }
    const free = parameters.map((p) => p.parameter).filter((p) => !(p in bind) && !this.scope.pathParameters.includes(p));
    if (free.length > 0 && !allowFree) fail(at, `{${free.join('}, {')}} of ${template} must be bound: by the action's path or by bind.`);
    return { template, node, bind, free };
  }

  /** The instance an effect or condition is about: the action's own (`self`) or a member of collections of one resource. */
  selector(value: unknown, at: string): InstanceSelector {
    if (value === 'self') return { kind: 'self' };
    const members = ((value as Raw).memberOf as unknown[]).map((c, i) => this.collectionRef(c, `${at}/memberOf/${i}`, true));
    const resources = new Set(members.map((m) => m.node.resource));
    if (resources.size !== 1) fail(`${at}/memberOf`, 'the collections of memberOf must all hold the same resource.');
    return { kind: 'memberOf', collections: members };
  }

  private selectorSchema(selected: InstanceSelector): JsonSchema {
    return selected.kind === 'self' ? this.scope.ownerSchema : selected.collections[0].node.resource.schema;
  }

  /** A condition: an effect's `when`, or a conflict. */
  condition(value: unknown, at: string): Condition {
    const spec = value as Raw;
    if ('exists' in spec || 'missing' in spec) {
      const kind = 'exists' in spec ? 'exists' : 'missing';
      const selected = this.selector(spec[kind], `${at}/${kind}`);
      if (selected.kind !== 'memberOf') fail(`${at}/${kind}`, `${kind} takes { memberOf: [...] }.`);
      return { kind, selector: selected };
    }
    if ('property' in spec) {
      const p = spec.property as Raw;
      const of = this.selector(p.of, `${at}/property/of`);
      const name = String(p.name);
      if (!(name in this.scope.propertiesOf(this.selectorSchema(of)))) fail(`${at}/property/name`, `"${name}" must be a property of the selected instance.`);
      return { kind: 'property', of, name, equals: p.equals };
    }
    if ('listedIn' in spec) {
      const l = spec.listedIn as Raw;
      return { kind: 'listedIn', of: this.selector(l.of, `${at}/listedIn/of`), collection: this.collectionRef(l.collection, `${at}/listedIn/collection`, true) };
    }
    const kind = 'resolves' in spec ? 'resolves' : 'unresolved';
    const ref = String(spec[kind]);
    if (!this.bodyRefs[ref]) fail(`${at}/${kind}`, `"${ref}" must be declared in bodyRefs.`);
    return { kind, bodyRef: ref };
  }

  /** The values an effect writes on an instance of `targetSchema`: constants, or body properties. */
  values(value: unknown, at: string, targetSchema: JsonSchema): Record<string, ValueSpec> {
    const targetProperties = this.scope.propertiesOf(targetSchema);
    return Object.fromEntries(
      Object.entries((value ?? {}) as Record<string, Raw>).map(([name, spec]) => {
        const here = `${at}/${escape(name)}`;
        if (!(name in targetProperties)) fail(here, `"${name}" must be a property of the instance the effect writes.`);
        const ifPresent = spec.ifPresent === true;
        if ('const' in spec) return [name, { kind: 'const', value: spec.const, ifPresent }];
        const property = String(spec.from);
        if (!(property in this.bodyProperties)) fail(`${here}/from`, `"${property}" must be a property of the action's request body.`);
        return [name, { kind: 'from', property, hasDefault: 'default' in spec, default: spec.default, ifPresent }];
      }),
    );
  }

  /** One effect: set, create or remove, with its condition. */
  effect(spec: Raw, at: string): ActionEffect {
    const when = spec.when === undefined ? undefined : this.condition(spec.when, `${at}/when`);
    if (spec.set) {
      const set = spec.set as Raw;
      let target: SetTarget = { kind: 'self' };
      let schema = this.scope.ownerSchema;
      if (set.target !== 'self') {
        const template = `${this.scope.ownerInstanceTemplate}/${String(set.target)}`;
        const node = this.scope.singletons.find((s) => s.template === template);
        if (!node) fail(`${at}/set/target`, `"${String(set.target)}" must be self or a sub-resource of the action's instance (${template} is none).`);
        target = { kind: 'singleton', node };
        schema = node.responseSchema;
      }
      return { kind: 'set', target, values: this.values(set.values, `${at}/set/values`, schema), when };
    }
    if (spec.create) {
      const create = spec.create as Raw;
      const collections = (create.in as unknown[]).map((c, i) => this.collectionRef(c, `${at}/create/in/${i}`, false));
      const resources = new Set(collections.map((c) => c.node.resource));
      if (resources.size !== 1) fail(`${at}/create/in`, 'the collections a new instance appears in must all hold the same resource.');
      const resource = collections[0].node.resource;
      return { kind: 'create', resource, in: collections, values: this.values(create.values, `${at}/create/values`, resource.schema), transient: create.transient === true, when };
    }
    const remove = spec.remove as Raw;
    return {
      kind: 'remove',
      target: this.selector(remove.target, `${at}/remove/target`),
      from: remove.from === undefined ? undefined : (remove.from as unknown[]).map((c, i) => this.collectionRef(c, `${at}/remove/from/${i}`, true)),
      when,
    };
  }
}

/** The properties that any action of the model writes, per resource name (or singleton template): the action-controlled ones. */
export function controlledProperties(actions: readonly { effects: ActionEffects; owner: { kind: string; template: string; resource?: ResourceType } }[]): Map<string, Set<string>> {
  const controlled = new Map<string, Set<string>>();
  const add = (key: string | undefined, names: string[]) => {
    if (!key) return;
    const set = controlled.get(key) ?? new Set<string>();
    names.forEach((name) => set.add(name));
    controlled.set(key, set);
  };
  for (const action of actions) {
    for (const effect of action.effects.effects) {
      if (effect.kind === 'set') {
        const key = effect.target.kind === 'singleton' ? effect.target.node.resource?.name ?? effect.target.node.template : action.owner.resource?.name ?? action.owner.template;
        add(key, Object.keys(effect.values));
      } else if (effect.kind === 'create') {
        add(effect.resource.name, Object.keys(effect.values));
      }
    }
  }
  return controlled;
}
