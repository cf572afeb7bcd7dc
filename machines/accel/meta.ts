// Edge metadata shared by the accel machines: the rules an edge carries, and the errno of a refusal.
import type { Errno } from '../../spec/abi/errno.ts';
import type { RuleId } from '../../spec/rules.generated.ts';

export interface EdgeMeta {
  rules: readonly RuleId[];
  errno?: Errno;
}

export interface StateMeta {
  description: string;
}
