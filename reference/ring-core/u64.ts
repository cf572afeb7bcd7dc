// C integer semantics for the kernel's frame counters. snd_pcm_uframes_t is an unsigned long (u64 on
// x86_64) and snd_pcm_sframes_t a long (s64); mixed expressions follow C's usual conversions, so each
// kernel expression is written here as bigint arithmetic wrapped back to 64 bits.
import { COMPAT_LONG_MAX, LONG_MAX } from '../../spec/abi/params.ts';

/** Reinterprets as snd_pcm_uframes_t (unsigned long). */
export const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
/** Reinterprets as snd_pcm_sframes_t (long). */
export const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
/** Truncates to a u32 (a compat struct field). */
export const u32 = (x: bigint): bigint => BigInt.asUintN(32, x);

/** ULONG_MAX: the "initialisation" argument of snd_pcm_playback_silence(). */
export const ULONG_MAX = (1n << 64n) - 1n;

/** boundary64's answers: sixty bigint doublings were the bulk of a HW_PARAMS. */
const boundaries = new Map<number, bigint>();

/** ring.boundary.64 — sound/core/pcm_native.c snd_pcm_hw_params(). */
export function boundary64(bufferSize: number): bigint {
  let b = boundaries.get(bufferSize);
  if (b !== undefined) return b;
  const bs = BigInt(bufferSize);
  b = bs;
  while (b * 2n <= LONG_MAX - bs) b *= 2n;
  if (boundaries.size < 4096) boundaries.set(bufferSize, b);
  return b;
}

/** __fls(): index of the most significant set bit. */
function fls(x: bigint): number {
  return x.toString(2).length - 1;
}

/** ring.boundary.compat32 — sound/core/pcm_native.c recalculate_boundary(), with the caller's
 * replacement of 0 by 0x7fffffff (snd_pcm_ioctl_sync_ptr_compat()). */
export function boundaryCompat32(bufferSize: number): bigint {
  if (bufferSize === 0) return COMPAT_LONG_MAX;
  const bs = BigInt(bufferSize);
  const border = u64(COMPAT_LONG_MAX - bs);
  if (bs > border) return bs;
  const b = bs << BigInt(fls(border) - fls(bs));
  return b <= border ? b : b / 2n;
}
