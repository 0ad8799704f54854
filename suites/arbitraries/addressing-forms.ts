import fc from 'fast-check';
import { instanceSegments, type AddressingForm, type InstanceRef, type PathNodeBase } from '../../contracts/resource-model.js';

/** Whether level `index` of `node` may be written by name for these refs. */
export function canUseName(node: PathNodeBase, refs: InstanceRef[], index: number): boolean {
  return Boolean(instanceSegments(node)[index]?.nameProperty) && refs[index]?.name !== undefined;
}

/** One addressing form per instance level of `node`: `name` only where the level and the ref allow it. */
export function addressingForms(node: PathNodeBase, refs: InstanceRef[]): fc.Arbitrary<AddressingForm[]> {
  return fc.tuple(
    ...instanceSegments(node).map((_, index) =>
      canUseName(node, refs, index) ? fc.constantFrom<AddressingForm>('uuid', 'name') : fc.constant<AddressingForm>('uuid'),
    ),
  );
}

/** Every combination of forms over the name-capable levels (2^j of them), the all-UUID one first. */
export function allAddressingForms(node: PathNodeBase, refs: InstanceRef[]): AddressingForm[][] {
  return instanceSegments(node).reduce<AddressingForm[][]>(
    (combinations, _, index) =>
      combinations.flatMap((prefix) => (canUseName(node, refs, index) ? [[...prefix, 'uuid'], [...prefix, 'name']] : [[...prefix, 'uuid']])),
    [[]],
  );
}
