// pcm.appl-ptr.apply — pcm_lib_apply_appl_ptr() of sound/core/pcm_lib.c.
import { INFO } from '../../spec/abi/params.ts';
import type { Substream } from './card.ts';
import { kerr, type KErr } from './errors.ts';
import { s64, u64 } from './u64.ts';

export function applyApplPtr(s: Substream, applPtr: bigint): KErr | null {
  const rt = s.rt;
  const old = rt.applPtr;
  if (old === applPtr) return null;
  if (applPtr >= rt.boundary) return kerr('EINVAL', 'pcm.appl-ptr.apply');
  if (rt.info & INFO.NO_REWINDS) {
    const diff = s64(applPtr - old);
    if (diff >= 0n) {
      if (u64(diff) > rt.bs) return kerr('EINVAL', 'pcm.appl-ptr.apply');
    } else if (u64(rt.boundary + diff) > rt.bs) {
      return kerr('EINVAL', 'pcm.appl-ptr.apply');
    }
  }
  rt.applPtr = applPtr;
  return null;
}
