// STATUS, DELAY, HWSYNC, SYNC_PTR, REWIND and FORWARD (sound/core/pcm_native.c).
import { fault } from './card.ts';
import type { StatusValue, SyncPtrValue } from '../../spec/device.ts';
import { SYNC_PTR_FLAG } from '../../spec/abi/ioctl.ts';
import { availOf, hwAvailOf, isRunning, type Substream } from './card.ts';
import { kerr, type KErr } from './errors.ts';
import { pcmHwsync, updateHwPtr } from './hwptr.ts';
import { applyApplPtr } from './appl.ts';
import { captureAvail, playbackHwAvail } from './runtime.ts';
import { boundaryCompat32, s64, u32, u64 } from './u64.ts';
import { dmaSync } from './sync.ts';

/** snd_pcm_calc_delay() (with the driver's runtime->delay of 0), as snd_pcm_sframes_t. */
const calcDelay = (s: Substream): bigint => s64(s.playback ? playbackHwAvail(s.rt) : captureAvail(s.rt));

/** pcm.status.open, pcm.status.ok — snd_pcm_status64(). */
export function status(s: Substream): StatusValue {
  const rt = s.rt;
  const state = rt.state;
  const v: StatusValue = {
    state,
    suspended_state: rt.suspendedState,
    appl_ptr: 0n,
    hw_ptr: 0n,
    delay: 0n,
    avail: 0n,
    avail_max: 0n,
  };
  if (state === 'OPEN') return v;
  if (isRunning(s)) updateHwPtr(s);
  if (fault(s, 'status-state-after-update')) v.state = rt.state;
  v.appl_ptr = rt.applPtr;
  v.hw_ptr = rt.hwPtr;
  v.avail = availOf(s);
  v.delay = isRunning(s) ? calcDelay(s) : 0n;
  v.avail_max = rt.availMax;
  rt.availMax = 0n;
  return v;
}

/** An update's EPIPE, named after the rule that ends the stream. */
const updateErr = (e: KErr): KErr => (e.rule === 'ring.drain.complete' || e.rule === 'ring.xrun.detect' ? kerr('EPIPE', 'ring.update.state') : e);

/** pcm.delay.ok — snd_pcm_delay(): the CPU sync whatever do_pcm_hwsync() returned. */
export function delay(s: Substream): KErr | bigint {
  const e = pcmHwsync(s);
  const d = e ? null : calcDelay(s) + (fault(s, 'delay-off-by-one') ? 1n : 0n);
  dmaSync(s, 'CPU', 'delay');
  return e ? updateErr(e) : d!;
}

/** pcm.hwsync.ok — snd_pcm_hwsync(), which is snd_pcm_delay(substream, NULL). */
export function hwsync(s: Substream, site: 'hwsync' | 'sync-ptr-hwsync' = 'hwsync'): KErr | null {
  const e = pcmHwsync(s);
  dmaSync(s, 'CPU', site);
  return e ? updateErr(e) : null;
}

/** pcm.rewind.ok — snd_pcm_rewind() with rewind_appl_ptr(). */
export function rewind(s: Substream, framesIn: bigint): KErr | bigint {
  let frames = u64(framesIn);
  if (frames === 0n) return 0n;
  const e = pcmHwsync(s);
  if (e) return updateErr(e);
  const rt = s.rt;
  const avail = s64(hwAvailOf(s));
  if (avail <= 0n) {
    dmaSync(s, 'DEVICE', 'rewind');
    return 0n;
  }
  if (frames > u64(avail)) frames = u64(avail);
  let appl = s64(rt.applPtr - frames);
  if (appl < 0n) appl = s64(appl + rt.boundary);
  const moved = applyApplPtr(s, u64(appl)) ? 0n : frames;
  dmaSync(s, 'DEVICE', 'rewind');
  return moved;
}

/** pcm.forward.ok — snd_pcm_forward() with forward_appl_ptr(). */
export function forward(s: Substream, framesIn: bigint): KErr | bigint {
  let frames = u64(framesIn);
  if (frames === 0n) return 0n;
  const e = pcmHwsync(s);
  if (e) return updateErr(e);
  const rt = s.rt;
  const avail = s64(availOf(s));
  if (avail <= 0n) {
    dmaSync(s, 'DEVICE', 'forward');
    return 0n;
  }
  if (frames > u64(avail)) frames = u64(avail);
  let appl = s64(rt.applPtr + frames);
  if (appl >= s64(rt.boundary)) appl = s64(appl - rt.boundary);
  const err = applyApplPtr(s, u64(appl));
  if (err) return err;
  dmaSync(s, 'DEVICE', 'forward');
  return frames;
}

export interface SyncPtrArgs {
  flags: number;
  appl_ptr: bigint;
  avail_min: bigint;
  compat32: boolean;
}

/** pcm.sync-ptr.* — snd_pcm_sync_ptr() and snd_pcm_ioctl_sync_ptr_compat(). */
export function syncPtr(s: Substream, a: SyncPtrArgs): KErr | SyncPtrValue {
  const rt = s.rt;
  const flags = a.flags >>> 0;
  if (fault(s, 'sync-ptr-needs-setup') && !(flags & SYNC_PTR_FLAG.HWSYNC) && rt.state === 'OPEN') return kerr('EBADFD', 'pcm.sync-ptr.ok');
  // the compat struct's control fields are u32
  const applIn = a.compat32 ? u32(a.appl_ptr) : u64(a.appl_ptr);
  const availMinIn = a.compat32 ? u32(a.avail_min) : u64(a.avail_min);
  if (flags & SYNC_PTR_FLAG.HWSYNC) {
    const e = hwsync(s, 'sync-ptr-hwsync');
    if (e) return e;
  }
  const b32 = a.compat32 ? boundaryCompat32(rt.bufferSize) : 0n;
  let appl: bigint;
  if (!(flags & SYNC_PTR_FLAG.APPL)) {
    if (applyApplPtr(s, applIn)) return kerr('EINVAL', 'pcm.sync-ptr.appl-invalid');
    appl = applIn;
  } else {
    appl = a.compat32 ? rt.applPtr % b32 : rt.applPtr;
  }
  let availMin: bigint;
  if (!(flags & SYNC_PTR_FLAG.AVAIL_MIN)) {
    rt.availMin = availMinIn;
    availMin = availMinIn;
  } else {
    availMin = a.compat32 ? u32(rt.availMin) : rt.availMin;
  }
  if (!(flags & SYNC_PTR_FLAG.APPL) || fault(s, 'sync-ptr-appl-syncs')) dmaSync(s, 'DEVICE', 'sync-ptr-appl');
  return {
    state: rt.state,
    suspended_state: rt.suspendedState,
    hw_ptr: a.compat32 ? u32(rt.hwPtr % b32) : rt.hwPtr,
    appl_ptr: a.compat32 ? u32(appl) : appl,
    avail_min: availMin,
  };
}
