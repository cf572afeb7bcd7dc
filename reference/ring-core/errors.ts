// Errors are values: a kernel function that fails returns a KErr naming the errno and the spec rule
// that requires it; success is `null` (or a count). Only a broken invariant of this code throws.
import type { Errno } from '../../spec/abi/errno.ts';
import type { RuleId } from '../../spec/rules.generated.ts';

export interface KErr {
  readonly errno: Errno;
  readonly rule: RuleId;
}

export const kerr = (errno: Errno, rule: RuleId): KErr => ({ errno, rule });

export const isErr = (x: unknown): x is KErr => typeof x === 'object' && x !== null && 'errno' in x;

/** Our own invariant broke: the core has a bug, not the caller. */
export function bug(msg: string): never {
  throw new Error(`ring-core invariant: ${msg}`);
}
