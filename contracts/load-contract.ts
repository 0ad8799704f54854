import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { OpenAPIV3_1 } from 'openapi-types';
import extensionsSchema from './extensions.schema.json' with { type: 'json' };
import { parseActionEffects } from './action-effects.js';
import { ContractError } from './contract-error.js';
import type {
  ActionDefinition,
  ActionNode,
  CollectionNode,
  InstanceNode,
  JsonSchema,
  PathNode,
  PathSegment,
  Provenance,
  ResourceModel,
  ResourceType,
  SingletonNode,
} from './resource-model.js';

/** The contract shipped with the package. */
export const defaultContractPath = fileURLToPath(new URL('./isymphony-live.yaml', import.meta.url)).replace(
  /[\\/]dist[\\/]contracts[\\/]/,
  '/contracts/',
);

/** A contract read, validated and turned into a resource model. */
export interface LoadedContract {
  path: string;
  title: string;
  version: string;
  /** sha256 of the contract file's bytes, hex. */
  sha256: string;
  /** The validated, dereferenced OpenAPI document. */
  document: OpenAPIV3_1.Document;
  model: ResourceModel;
}

type Json = Record<string, unknown>;

/** Options of {@link loadContract}. */
export interface LoadContractOptions {
  /**
   * The file was validated by an earlier load of this run (the runner validates before it starts the suites' worker):
   * it is parsed and dereferenced only. Checking the extensions and the OpenAPI schema again would compile both
   * JSON Schemas a second time, most of a load's time; the resource model still checks what it reads.
   */
  alreadyValidated?: boolean;
}

/** Reads, validates and models the contract at `path`; throws a {@link ContractError} naming what is wrong. */
export async function loadContract(path: string = defaultContractPath, options: LoadContractOptions = {}): Promise<LoadedContract> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new ContractError('CONTRACT_UNREADABLE', `Cannot read the contract file ${path} (${(error as Error).message}). Check the path given to --contract.`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');

  let raw: Json;
  try {
    raw = (await new SwaggerParser().parse(path)) as unknown as Json;
  } catch (error) {
    throw new ContractError('CONTRACT_UNREADABLE', `The contract ${path} is not a readable OpenAPI document: ${firstLine((error as Error).message)}`);
  }
  if (typeof raw.openapi !== 'string' || !raw.openapi.startsWith('3.')) {
    throw new ContractError('CONTRACT_INVALID', 'must be an OpenAPI 3.x document (the `openapi` field says which).', '#/openapi');
  }
  if (!options.alreadyValidated) checkExtensions(raw);

  let document: OpenAPIV3_1.Document;
  try {
    document = (
      options.alreadyValidated ? await new SwaggerParser().dereference(raw as never) : await new SwaggerParser().validate(structuredClone(raw) as never)
    ) as OpenAPIV3_1.Document;
  } catch (error) {
    const message = (error as Error).message;
    const pointer = /#\/[^\s]*/.exec(message)?.[0];
    throw new ContractError('CONTRACT_INVALID', `is not a valid OpenAPI document: ${message.replace(/\s+/g, ' ').trim()}`, pointer);
  }
  const model = buildResourceModel(document);
  return {
    path,
    title: String(document.info?.title ?? ''),
    version: String(document.info?.version ?? ''),
    sha256,
    document,
    model,
  };
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Checks every extension this tool reads against its definition in extensions.schema.json. */
function checkExtensions(raw: Json): void {
  const ajv = new Ajv2020({ allErrors: false, strict: false });
  ajv.addSchema(extensionsSchema);
  const defs = (extensionsSchema as { $defs: Record<string, unknown> }).$defs;
  const walk = (value: unknown, pointer: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, `${pointer}/${index}`));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value as Json)) {
      const childPointer = `${pointer}/${escapePointer(key)}`;
      if (key in defs) {
        const validate = ajv.getSchema(`${extensionsSchema.$id}#/$defs/${key}`)!;
        if (!validate(child)) {
          const error = validate.errors![0];
          throw new ContractError('CONTRACT_EXTENSION_INVALID', `${key} ${error.message ?? 'is invalid'}${error.instancePath ? ` (at ${error.instancePath})` : ''}.`, childPointer + (error.instancePath ?? ''));
        }
      }
      walk(child, childPointer);
    }
  };
  walk(raw, '#');
}

function provenanceOf(...elements: unknown[]): Provenance {
  return elements.some((element) => element && typeof element === 'object' && (element as Json)['x-provenance'] === 'inferred')
    ? 'inferred'
    : 'doc';
}

/** The properties of an object schema, following a top-level allOf. */
function propertiesOf(schema: JsonSchema): Record<string, JsonSchema> {
  const own = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const fromAllOf = ((schema.allOf ?? []) as JsonSchema[]).reduce<Record<string, JsonSchema>>(
    (merged, part) => ({ ...merged, ...propertiesOf(part) }),
    {},
  );
  return { ...fromAllOf, ...own };
}

function successSchema(operation: Json | undefined): JsonSchema | undefined {
  const response = (operation?.responses as Json | undefined)?.['200'] as Json | undefined;
  const content = response?.content as Json | undefined;
  return (content?.['application/json'] as Json | undefined)?.schema as JsonSchema | undefined;
}

/** Builds the typed resource model from the validated, dereferenced document. */
export function buildResourceModel(document: OpenAPIV3_1.Document): ResourceModel {
  const resources = resourceTypesOf((document.components?.schemas ?? {}) as Record<string, JsonSchema>);
  const resourceBySchema = new Map([...resources.values()].map((resource) => [resource.schema, resource]));
  const nodes: PathNode[] = [];
  const byTemplate = new Map<string, PathNode>();
  // In the contract's order: a node's collection or owner is a path listed before it.
  for (const [template, pathItem] of Object.entries((document.paths ?? {}) as Record<string, Json>)) {
    const node = pathNodeOf(template, pathItem, { resources, resourceBySchema, byTemplate });
    nodes.push(node);
    byTemplate.set(template, node);
  }
  const collections = nodes.filter((n): n is CollectionNode => n.kind === 'collection');
  const singletons = nodes.filter((n): n is SingletonNode => n.kind === 'singleton');
  const actions = nodes.filter((n): n is ActionNode => n.kind === 'action');
  // The effects name collections and sub-resources anywhere in the contract, so they are parsed once every path is known.
  for (const action of actions) action.effects = actionEffectsOf(action, collections, singletons);
  return {
    resources,
    collections,
    instances: nodes.filter((n): n is InstanceNode => n.kind === 'instance'),
    singletons,
    actions,
    nodes,
  };
}

/** The resource types: every schema of #/components/schemas that describes an object, by name. */
function resourceTypesOf(schemas: Record<string, JsonSchema>): Map<string, ResourceType> {
  const resources = new Map<string, ResourceType>();
  for (const [name, schema] of Object.entries(schemas)) {
    const properties = propertiesOf(schema);
    if (Object.keys(properties).length === 0 && schema.type !== 'object') continue;
    resources.set(name, {
      name,
      schema,
      identityProperties: Object.entries(properties).filter(([, p]) => p['x-identity'] === true).map(([key]) => key),
      volatileProperties: Object.entries(properties).filter(([, p]) => p['x-volatile'] === true).map(([key]) => key),
      uuidProperties: Object.entries(properties).filter(([, p]) => p.format === 'uuid').map(([key]) => key),
      liveMembership: schema['x-live-membership'] === true,
      provenance: provenanceOf(schema),
    });
  }
  return resources;
}

/** What a path node is built from besides its own path item: the resource types and the nodes listed before it. */
interface ModelSoFar {
  resources: Map<string, ResourceType>;
  resourceBySchema: Map<JsonSchema, ResourceType>;
  byTemplate: Map<string, PathNode>;
}

/**
 * The node of one path: an action (a POST with x-action), an instance (a GET ending in a parameter), a collection
 * (a GET of an array) or a sub-resource (any other GET). An action's effects are left empty, parsed later.
 */
function pathNodeOf(template: string, pathItem: Json, model: ModelSoFar): PathNode {
  const pointer = `#/paths/${escapePointer(template)}`;
  const parameters = (pathItem.parameters ?? []) as Json[];
  const segments = template
    .split('/')
    .filter((part) => part.length > 0)
    .map((part) => segmentOf(part, parameters, model.resources, pointer));
  const methods = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'].filter((m) => pathItem[m]);
  const base = { template, pointer, segments, methods };
  const get = pathItem.get as Json | undefined;
  const post = pathItem.post as Json | undefined;
  const last = segments[segments.length - 1];
  const parent = findOwner(model.byTemplate, segments);
  if (post && post['x-action']) {
    if (!parent) throw new ContractError('CONTRACT_INVALID', 'an action must hang under an instance path listed earlier in the contract.', pointer);
    const requestBody = post.requestBody as Json | undefined;
    const requestSchema = ((requestBody?.content as Json | undefined)?.['application/json'] as Json | undefined)?.schema as JsonSchema | undefined;
    const ownerInstance = parent.kind === 'instance' ? parent : parent.owner;
    return {
      ...base,
      kind: 'action',
      operationId: post.operationId as string | undefined,
      owner: parent,
      ownerInstance,
      requestSchema,
      requestBodyRequired: requestBody?.required === true,
      definition: post['x-action'] as ActionDefinition,
      effects: { bodyRefs: {}, effects: [], conflicts: [], onlyOnCreated: false }, // parsed once every path is known
      provenance: provenanceOf(pathItem, post, ...parameters),
    };
  }
  if (!get) throw new ContractError('CONTRACT_INVALID', 'a path must have a GET or a POST with x-action.', pointer);
  const provenance = provenanceOf(pathItem, get, ...parameters);
  if (last?.kind === 'instance') {
    const collection = model.byTemplate.get(template.slice(0, template.lastIndexOf('/')));
    if (!collection || collection.kind !== 'collection') {
      throw new ContractError('CONTRACT_INVALID', `the instance path must follow its collection path (${template.slice(0, template.lastIndexOf('/'))}).`, pointer);
    }
    const responseSchema = successSchema(get);
    if (!responseSchema) throw new ContractError('CONTRACT_INVALID', 'an instance GET must document a 200 application/json body.', `${pointer}/get/responses`);
    const node: InstanceNode = { ...base, kind: 'instance', resource: last.resource, collection, responseSchema, provenance };
    collection.item = node;
    return node;
  }
  const responseSchema = successSchema(get);
  if (!responseSchema) throw new ContractError('CONTRACT_INVALID', 'a GET must document a 200 application/json body.', `${pointer}/get/responses`);
  if (responseSchema.type === 'array') {
    const items = responseSchema.items as JsonSchema | undefined;
    const resource = items ? model.resourceBySchema.get(items) : undefined;
    if (!resource) throw new ContractError('CONTRACT_INVALID', 'a collection must be an array of a schema of #/components/schemas.', `${pointer}/get/responses/200`);
    if (parent && parent.kind !== 'instance') throw new ContractError('CONTRACT_INVALID', 'a collection must hang under an instance path.', pointer);
    return { ...base, kind: 'collection', resource, parent: parent as InstanceNode | undefined, responseSchema, provenance };
  }
  if (!parent || parent.kind !== 'instance') throw new ContractError('CONTRACT_INVALID', 'a sub-resource must hang under an instance path listed earlier in the contract.', pointer);
  return { ...base, kind: 'singleton', owner: parent, resource: model.resourceBySchema.get(responseSchema), responseSchema, provenance };
}

/**
 * One segment of a path template: a literal, or a `{parameter}` with the resource it identifies (`x-resource`) and
 * its name property (`x-name-property`), which it also records on the resource (a resource has one).
 */
function segmentOf(part: string, parameters: Json[], resources: Map<string, ResourceType>, pointer: string): PathSegment {
  const match = /^\{(.+)\}$/.exec(part);
  if (!match) return { kind: 'literal', text: part };
  const parameter = parameters.find((p) => p.name === match[1] && p.in === 'path');
  if (!parameter) throw new ContractError('CONTRACT_INVALID', `path parameter {${match[1]}} must be declared in the path item's parameters.`, `${pointer}/parameters`);
  const resourceName = parameter['x-resource'];
  if (typeof resourceName !== 'string') {
    throw new ContractError('CONTRACT_EXTENSION_INVALID', `path parameter {${match[1]}} must say which resource it identifies (x-resource).`, `${pointer}/parameters`);
  }
  const resource = resources.get(resourceName);
  if (!resource) throw new ContractError('CONTRACT_EXTENSION_INVALID', `x-resource "${resourceName}" of {${match[1]}} must name a schema of #/components/schemas.`, `${pointer}/parameters`);
  const nameProperty = parameter['x-name-property'] as string | undefined;
  if (nameProperty !== undefined) {
    const property = propertiesOf(resource.schema)[nameProperty];
    if (!property) throw new ContractError('CONTRACT_EXTENSION_INVALID', `x-name-property "${nameProperty}" of {${match[1]}} must be a property of ${resourceName}.`, `${pointer}/parameters`);
    if (resource.nameProperty && resource.nameProperty !== nameProperty) {
      throw new ContractError('CONTRACT_EXTENSION_INVALID', `${resourceName} has two name properties (${resource.nameProperty}, ${nameProperty}); a resource must have one.`, `${pointer}/parameters`);
    }
    resource.nameProperty = nameProperty;
  }
  return { kind: 'instance', parameter: match[1], resource, nameProperty, provenance: provenanceOf(parameter) };
}

/** The parsed `x-action` effects of an action, checked against the collections and sub-resources of the contract. */
function actionEffectsOf(action: ActionNode, collections: CollectionNode[], singletons: SingletonNode[]): ActionNode['effects'] {
  return parseActionEffects(action.definition, `${action.pointer}/post/x-action`, {
    pathParameters: action.segments.flatMap((s) => (s.kind === 'instance' ? [s.parameter] : [])),
    ownerSchema: action.owner.responseSchema,
    ownerInstanceTemplate: action.ownerInstance.template,
    requestSchema: action.requestSchema,
    collections,
    singletons,
    propertiesOf,
  });
}

/** The nearest instance or singleton node whose template is a prefix of `segments`. */
function findOwner(byTemplate: Map<string, PathNode>, segments: PathSegment[]): InstanceNode | SingletonNode | undefined {
  for (let length = segments.length - 1; length > 0; length -= 1) {
    const template = `/${segments.slice(0, length).map((s) => (s.kind === 'literal' ? s.text : `{${s.parameter}}`)).join('/')}`;
    const node = byTemplate.get(template);
    if (node && (node.kind === 'instance' || node.kind === 'singleton')) return node;
  }
  return undefined;
}
