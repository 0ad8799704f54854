/**
 * The RFC 4122 text form of a UUID: 32 hex digits in groups 8-4-4-4-12, with the RFC 4122 variant and a known
 * version. Hex digits are matched in either case (RFC 4122 §3: "case insensitive on input").
 */

const textForm = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const nilUuid = '00000000-0000-0000-0000-000000000000';

/** Whether `value` is laid out as a UUID (8-4-4-4-12 hex digits), whatever its variant and version. */
export function isUuidShaped(value: string): boolean {
  return textForm.test(value);
}

/**
 * Why `value` is not an RFC 4122 UUID in text form, or undefined when it is one. Versions 1-8 are accepted
 * (RFC 9562, which obsoletes RFC 4122, adds 6-8 with the same variant), and so is the nil UUID.
 */
export function uuidTextProblem(value: string): string | undefined {
  if (!textForm.test(value)) return 'is not 32 hex digits in groups 8-4-4-4-12';
  if (value === nilUuid) return undefined;
  const version = value[14];
  if (!/[1-8]/.test(version)) return `has version digit ${version}, not 1-8`;
  const variant = value[19].toLowerCase();
  if (!/[89ab]/.test(variant)) return `has variant digit ${variant}, not the RFC 4122 variant (8, 9, a or b)`;
  return undefined;
}
