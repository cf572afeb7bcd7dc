// Pointer arithmetic of the PCM runtime, on one stream: boundary, avail, the hw_ptr update and the
// post-update verdict. Pure functions over a StreamCtx, mutating only the copy they are given.
// Each mirrors the kernel function named in its comment (sound/core/pcm_lib.c, include/sound/pcm.h)
// with C's integer rules: snd_pcm_uframes_t is a u64 that wraps, snd_pcm_sframes_t an s64, so
// pointers stored through the control page beyond the boundary behave as they do in the kernel.
import { COMPAT_LONG_MAX, LONG_MAX } from '../../spec/abi/params.ts';
import type { StreamCtx } from './context.ts';

/** (snd_pcm_uframes_t)v and (snd_pcm_sframes_t)v. */
export const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
export const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/** snd_pcm_running(): RUNNING, or DRAINING on playback. */
export const isRunning = (s: StreamCtx): boolean =>
  s.state === 'RUNNING' || (s.state === 'DRAINING' && s.dir === 'PLAYBACK');

const bufferSize = (s: StreamCtx): bigint => s.hw?.bufferSize ?? 0n;
const periodSize = (s: StreamCtx): bigint => s.hw?.periodSize ?? 0n;

/** boundary64's answers: sixty bigint doublings per HW_PARAMS were most of what one cost. */
const boundaries = new Map<bigint, bigint>();

/** ring.boundary.64 — snd_pcm_hw_params(). */
export function boundary64(buffer: bigint): bigint {
  let b = boundaries.get(buffer);
  if (b !== undefined) return b;
  b = buffer;
  if (b <= 0n) return 0n;
  while (b * 2n <= LONG_MAX - buffer) b *= 2n;
  if (boundaries.size < 4096) boundaries.set(buffer, b);
  return b;
}

const fls = (x: bigint): number => x.toString(2).length - 1; // __fls: index of the top set bit

/** ring.boundary.compat32 — recalculate_boundary(); 0 stands for "no setup". */
export function boundary32(buffer: bigint): bigint {
  if (buffer === 0n) return 0n;
  const border = COMPAT_LONG_MAX - buffer;
  if (buffer > border) return buffer;
  const b = buffer << BigInt(fls(border) - fls(buffer));
  return b <= border ? b : b / 2n;
}

/** ring.avail.playback — snd_pcm_playback_avail(). */
export function playbackAvail(s: StreamCtx): bigint {
  let a = s64(s.hwPtr + bufferSize(s) - s.applPtr);
  if (a < 0n) a = s64(a + s.boundary);
  else if (u64(a) >= s.boundary) a = s64(a - s.boundary);
  return u64(a);
}

/** ring.avail.capture — snd_pcm_capture_avail(). */
export function captureAvail(s: StreamCtx): bigint {
  let a = s64(s.hwPtr - s.applPtr);
  if (a < 0n) a = s64(a + s.boundary);
  return u64(a);
}

/** snd_pcm_avail(). */
export const avail = (s: StreamCtx): bigint => (s.dir === 'PLAYBACK' ? playbackAvail(s) : captureAvail(s));

/** snd_pcm_playback_hw_avail() / snd_pcm_capture_hw_avail(), signed: the queued frames (playback)
 * or the free space (capture). */
export const hwAvail = (s: StreamCtx): bigint => s64(bufferSize(s) - avail(s));

/** snd_pcm_playback_data(): data to play, or a free-running stream (stop_threshold ≥ boundary). */
export const playbackHasData = (s: StreamCtx): boolean =>
  s.stopThreshold >= s.boundary || playbackAvail(s) < bufferSize(s);

/** snd_pcm_playback_empty(). */
export const playbackEmpty = (s: StreamCtx): boolean => playbackAvail(s) >= bufferSize(s);

/** snd_pcm_calc_delay() with the reference devices' runtime->delay of 0, as the sframes it reports. */
export const calcDelay = (s: StreamCtx): bigint => s64(s.dir === 'PLAYBACK' ? hwAvail(s) : captureAvail(s));

/** The smallest frame count whose bits fill whole bytes (runtime->min_align). */
function minAlign(s: StreamCtx): bigint {
  if (!s.hw) return 1n;
  let bits = s.hw.frameBytes * 8;
  let frames = 1n;
  while (bits % 8 !== 0) { bits *= 2; frames *= 2n; }
  return frames;
}

/**
 * ring.update.hw-ptr — snd_pcm_update_hw_ptr0() up to (not including) snd_pcm_update_state().
 * Returns true when hw_ptr moved (the caller then runs the post-update verdict).
 */
export function updateHwPtr(s: StreamCtx, inInterrupt: boolean): boolean {
  const buf = bufferSize(s);
  const period = periodSize(s);
  const old = s.hwPtr;
  let pos = s.pos >= buf ? 0n : s.pos;
  pos -= pos % minAlign(s);
  let base = s.hwPtrBase;
  let next = base + pos;
  if (next < old) {
    base += buf;
    if (base >= s.boundary) base = 0n;
    next = base + pos;
  }
  let delta = next - old;
  if (delta < 0n) delta += s.boundary;
  if (delta >= buf + period) return false; // "Unexpected hw_ptr": the kernel keeps the old value
  if (s.hwPtr === next) return false;
  if (inInterrupt) {
    let d = next - s.hwPtrInterrupt;
    if (d < 0n) d += s.boundary;
    d -= d % period;
    s.hwPtrInterrupt += d;
    if (s.hwPtrInterrupt >= s.boundary) s.hwPtrInterrupt -= s.boundary;
  }
  s.hwPtrBase = base;
  s.hwPtr = next;
  return true;
}

/** What snd_pcm_update_state() decides after an update; null: the stream goes on. */
export type Verdict = 'DRAIN_DONE' | 'XRUN' | null;

/** ring.update.state — snd_pcm_update_state() (avail_max bookkeeping and the verdict). */
export function verdict(s: StreamCtx): Verdict {
  const a = avail(s);
  if (a > s.availMax) s.availMax = a;
  if (s.state === 'DRAINING') return a >= bufferSize(s) ? 'DRAIN_DONE' : null;
  return a >= s.stopThreshold ? 'XRUN' : null;
}

/** pcm.appl-ptr.apply — pcm_lib_apply_appl_ptr(); returns false for EINVAL. */
export function applyApplPtr(s: StreamCtx, next: bigint, noRewinds: boolean): boolean {
  if (next === s.applPtr) return true;
  if (next >= s.boundary) return false;
  if (noRewinds) {
    const diff = s64(next - s.applPtr);
    if (diff >= 0n ? diff > bufferSize(s) : u64(s.boundary + diff) > bufferSize(s)) return false;
  }
  s.applPtr = next;
  return true;
}

/** appl_ptr + n as __snd_pcm_lib_xfer() computes it (uframes), wrapped at the boundary (ring.ptr.wrap). */
export function applAdvance(s: StreamCtx, n: bigint): bigint {
  const p = u64(s.applPtr + n);
  return p >= s.boundary ? u64(p - s.boundary) : p;
}

/** appl_ptr + n as forward_appl_ptr() computes it (sframes), wrapped at the boundary. */
export function applForward(s: StreamCtx, n: bigint): bigint {
  const p = s64(s.applPtr + n);
  return u64(p >= s64(s.boundary) ? p - s.boundary : p);
}

/** appl_ptr − n as rewind_appl_ptr() computes it (sframes), wrapped at the boundary. */
export function applBack(s: StreamCtx, n: bigint): bigint {
  const p = s64(s.applPtr - n);
  return u64(p < 0n ? s64(p + s.boundary) : p);
}

/** The uframes_t value as the kernel's signed snd_pcm_sframes_t (two's complement, 64 bits). */
export const toSigned = s64;
