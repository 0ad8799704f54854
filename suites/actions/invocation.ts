/**
 * One action as the checker posts it: the action path (its instances and how each level is written), and the
 * body. Sending one gives an Exchange, as every request of the checker does.
 */
import { buildPath, formsLabel, instanceSegments, type ActionNode, type AddressingForm, type InstanceRef } from '../../contracts/resource-model.js';
import { canUseName } from '../arbitraries/addressing-forms.js';
import type { Exchange, TargetClient } from '../target-client.js';

/** A request body: JSON (sent serialised) or text sent as it is (not JSON). */
export type RequestBody = { kind: 'json'; value: unknown } | { kind: 'text'; text: string };

/** One action to post. */
export interface ActionInvocation {
  action: ActionNode;
  /** One ref per instance level of the action's path. */
  refs: InstanceRef[];
  /** How each level is written; `name` only where the level allows it. */
  forms: AddressingForm[];
  /** Undefined: no body. */
  body?: RequestBody;
}

/** All-UUID forms for the action's path. */
export function uuidForms(action: ActionNode): AddressingForm[] {
  return instanceSegments(action).map(() => 'uuid');
}

/** Forms from wishes (true: by name), kept only where the level can be written by name. */
export function formsFromWishes(action: ActionNode, refs: InstanceRef[], byName: readonly boolean[]): AddressingForm[] {
  return instanceSegments(action).map((_, index) => (byName[index] && canUseName(action, refs, index) ? 'name' : 'uuid'));
}

/** The action's path, as it is requested. */
export function invocationPath(invocation: ActionInvocation): string {
  return buildPath(invocation.action, invocation.refs, invocation.forms);
}

/** The JSON object of the body, when the body is one. */
export function bodyObject(invocation: ActionInvocation): Record<string, unknown> | undefined {
  const body = invocation.body;
  return body?.kind === 'json' && body.value !== null && typeof body.value === 'object' && !Array.isArray(body.value) ? (body.value as Record<string, unknown>) : undefined;
}

/** Posts the action. */
export function sendAction(client: TargetClient, invocation: ActionInvocation): Promise<Exchange> {
  const path = invocationPath(invocation);
  const body = invocation.body;
  if (!body) return client.post(path);
  return client.post(path, { body: body.kind === 'json' ? JSON.stringify(body.value) : body.text, contentType: 'application/json' });
}

/** `pause` at `/coreServers/…/pause` (uuid/name/uuid) with `{"penalty":2}`: for messages and step lists. */
export function describeInvocation(invocation: ActionInvocation): string {
  const body = invocation.body ? ` with body ${invocation.body.kind === 'json' ? JSON.stringify(invocation.body.value) : JSON.stringify(invocation.body.text)}` : '';
  return `${invocation.action.definition.name} POST ${invocationPath(invocation)} (${formsLabel(invocation.forms)})${body}`;
}
