/** Stable codes of contract errors; the CLI maps every one of them to exit code 2. */
export type ContractErrorCode = 'CONTRACT_UNREADABLE' | 'CONTRACT_INVALID' | 'CONTRACT_EXTENSION_INVALID';

/** A contract that cannot be read or used: says where (a JSON pointer) and what is wrong. */
export class ContractError extends Error {
  readonly code: ContractErrorCode;
  /** JSON pointer into the contract (`#/paths/...`), when the error has a place. */
  readonly pointer?: string;

  constructor(code: ContractErrorCode, message: string, pointer?: string) {
    super(pointer ? `${pointer}: ${message}` : message);
    this.name = 'ContractError';
    this.code = code;
    this.pointer = pointer;
  }
}
