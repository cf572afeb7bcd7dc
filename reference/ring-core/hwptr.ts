// The pointer update at the heart of the PCM core: sound/core/pcm_lib.c snd_pcm_update_hw_ptr0(),
// snd_pcm_update_state() and snd_pcm_period_elapsed().
//
// Jiffies are not modelled (spec ring.update.hw-ptr, Model): the device interrupts exactly at each
// period boundary, so the double-acknowledged-interrupt check and the XRUN_DEBUG jiffies check never
// fire, and a NO_PERIOD_WAKEUP setup takes the kernel's jiffies branch as if no time had passed
// (which skips the "unexpected hw_ptr" check and never adds buffers).
import { fault } from './card.ts';
import { availOf, isRunning, type Substream } from './card.ts';
import { kerr, type KErr } from './errors.ts';
import { drainDone, xrun } from './actions.ts';
import { playbackSilence } from './silence.ts';
import { s64, u64 } from './u64.ts';

/** ring.update.state — snd_pcm_update_state(). */
export function updateState(s: Substream): KErr | null {
  const rt = s.rt;
  const avail = availOf(s);
  if (avail > rt.availMax) rt.availMax = avail;
  if (rt.state === 'DRAINING') {
    if (avail >= rt.bs) {
      drainDone(s);
      return kerr('EPIPE', 'ring.drain.complete');
    }
  } else if (avail >= rt.stopThreshold && !fault(s, 'no-xrun')) {
    xrun(s);
    return kerr('EPIPE', 'ring.xrun.detect');
  }
  return null;
}

/** ring.update.hw-ptr — snd_pcm_update_hw_ptr0(). */
export function updateHwPtr0(s: Substream, inInterrupt: boolean): KErr | null {
  const rt = s.rt;
  const old = rt.hwPtr;
  let pos = rt.pos; // substream->ops->pointer()
  if (pos >= rt.bufferSize) pos = 0;
  pos -= pos % rt.minAlign;
  let hwBase = rt.hwPtrBase;
  let newHw = u64(hwBase + BigInt(pos));
  if (newHw < old) {
    hwBase = u64(hwBase + rt.bs);
    if (hwBase >= rt.boundary) hwBase = 0n;
    newHw = u64(hwBase + BigInt(pos));
  }
  if (!rt.noPeriodWakeup) {
    let delta = s64(newHw - old);
    if (delta < 0n) delta = s64(delta + rt.boundary);
    // "Unexpected hw_ptr": a long compared with an unsigned long.
    if (u64(delta) >= u64(rt.bs + rt.ps)) return null;
  }
  if (rt.hwPtr === newHw) return null;
  if (s.playback && rt.silenceSize > 0n) playbackSilence(s, newHw);
  if (inInterrupt) {
    let d = s64(newHw - rt.hwPtrInterrupt);
    if (d < 0n) d = s64(d + rt.boundary);
    d = s64(d - u64(d) % rt.ps);
    rt.hwPtrInterrupt = u64(rt.hwPtrInterrupt + d);
    if (rt.hwPtrInterrupt >= rt.boundary) rt.hwPtrInterrupt = u64(rt.hwPtrInterrupt - rt.boundary);
  }
  rt.hwPtrBase = hwBase;
  rt.hwPtr = newHw;
  return updateState(s);
}

/** snd_pcm_update_hw_ptr(): an update outside the interrupt. */
export const updateHwPtr = (s: Substream): KErr | null => updateHwPtr0(s, false);

/** snd_pcm_period_elapsed_under_stream_lock(): the driver's interrupt. */
export function periodElapsed(s: Substream): void {
  if (!isRunning(s)) return;
  updateHwPtr0(s, true);
}

/** do_pcm_hwsync(): the check shared by DELAY, HWSYNC, REWIND, FORWARD and SYNC_PTR(HWSYNC). */
export function pcmHwsync(s: Substream): KErr | null {
  switch (s.rt.state) {
    case 'DRAINING':
      if (!s.playback) return kerr('EBADFD', 'pcm.hwsync.bad-state');
      return updateHwPtr(s);
    case 'RUNNING':
      return updateHwPtr(s);
    case 'PREPARED':
    case 'PAUSED':
      return null;
    case 'SUSPENDED':
      return kerr('ESTRPIPE', 'pcm.hwsync.suspended');
    case 'XRUN':
      return kerr('EPIPE', 'pcm.hwsync.xrun');
    default:
      return kerr('EBADFD', 'pcm.hwsync.bad-state');
  }
}
