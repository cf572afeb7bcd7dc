// Simulated time in closed form: a long run of a quiet playback device (nobody reads what it plays,
// no silence filling) changes nothing but the pointers, and each period interrupt changes them the
// same way, so m periods can be taken at once. This is how a benchmark or a test drives hw_ptr and
// appl_ptr across the 64-bit boundary (~2^62 frames) in a moment; the exact path would take 2^62 /
// period_size interrupts.
//
// From a steady state — two periods or more per buffer, the position at a period boundary, hw_ptr = hw_ptr_base + position,
// hw_ptr_interrupt = hw_ptr, every pointer below the boundary — each interrupt of
// snd_pcm_update_hw_ptr0() moves hw_ptr by one period modulo the boundary (hw_ptr_base gains a
// buffer at each buffer wrap and returns to 0 at the boundary), sets hw_ptr_interrupt to it, and
// snd_pcm_update_state() sees avail_k = (avail_0 + k · period_size) mod boundary: boundary is a
// multiple of buffer_size, which is a multiple of period_size. The run stops short of the first
// interrupt whose avail reaches stop_threshold, so the exact path performs that xrun itself.
// test/reference/jump.test.ts compares every jump with the exact path, period by period.
import type { Substream } from './card.ts';
import { playbackAvail } from './runtime.ts';

/** A run shorter than this many periods is stepped: the closed form costs a few bigint divisions. */
export const JUMP_MIN_PERIODS = 64;

const ceilDiv = (a: bigint, b: bigint): bigint => (a <= 0n ? 0n : (a + b - 1n) / b);

/** Runs whole periods of `frames` (a quiet, running playback stream at a period boundary, the
 * caller has checked) in closed form; returns the frames run, 0 when the state is not steady. */
export function jumpPlayback(s: Substream, frames: number): number {
  const rt = s.rt;
  if (!s.playback || rt.state !== 'RUNNING' || rt.silenceSize !== 0n || rt.noPeriodWakeup || rt.lane) return 0;
  // a fault, a recorder (it logs the device's reads of every period) or two views: step exactly
  if (s.card.opts.fault !== null || s.card.recorder.enabled || rt.dmaBuffer?.needSync) return 0;
  const ps = rt.ps;
  const bs = rt.bs;
  const boundary = rt.boundary;
  // With one period per buffer the position returns to where it was and hw_ptr never moves.
  if (rt.bufferSize <= rt.periodSize || rt.periodSize % rt.minAlign !== 0 || rt.pos % rt.periodSize !== 0) return 0;
  const pos = BigInt(rt.pos);
  const hw = rt.hwPtr;
  if (hw >= boundary || rt.applPtr >= boundary || rt.hwPtrBase >= boundary) return 0;
  if (hw !== rt.hwPtrBase + pos || rt.hwPtrInterrupt !== hw) return 0;
  let m = BigInt(Math.floor(frames / rt.periodSize));
  const wrapAll = boundary / ps; // avail repeats after this many periods
  if (m >= wrapAll) m = wrapAll - 1n;
  const c = playbackAvail(rt); // avail now: avail_k = (c + k·ps) mod boundary
  // the first k ≥ 1 where avail_k ≥ stop_threshold: the xrun the exact path must find
  const stop = rt.stopThreshold;
  const kw = ceilDiv(boundary - c, ps); // the first k whose avail has wrapped
  let kStop = -1n;
  const k1 = stop <= c ? 1n : ceilDiv(stop - c, ps);
  if (k1 < kw) kStop = k1;
  else {
    const k2 = ceilDiv(stop + boundary - c, ps);
    kStop = k2 > kw ? k2 : kw;
  }
  if (kStop >= 1n && kStop <= m) m = kStop - 1n;
  if (m <= 0n) return 0;
  // avail_max over k = 1..m: the last value, or the last before the wrap
  let top = c + m * ps;
  if (top >= boundary) {
    const postWrap = top - boundary;
    const preWrap = kw >= 2n ? c + (kw - 1n) * ps : -1n;
    top = preWrap > postWrap ? preWrap : postWrap;
  }
  const frames64 = m * ps;
  const nextPos = (pos + frames64) % bs;
  const nextHw = (hw + frames64) % boundary;
  rt.pos = Number(nextPos);
  rt.hwPtr = nextHw;
  rt.hwPtrBase = nextHw - nextPos;
  rt.hwPtrInterrupt = nextHw;
  if (top > rt.availMax) rt.availMax = top;
  return Number(frames64);
}
