// ring.silence.fill — snd_pcm_playback_silence() of sound/core/pcm_lib.c, in the 7.2 form
// (update_silence_vars()) and the 6.1 form. `newHwPtr` is ULONG_MAX for the initialisation calls
// (start, reset, SW_PARAMS on a running stream) and the new hw_ptr inside an update, where the runtime
// still holds the old one.
import { fault, type Substream } from './card.ts';
import { dmaSync, touch } from './sync.ts';
import { fillSilenceFrames } from './buffer.ts';
import { playbackHwAvail, type Runtime } from './runtime.ts';
import { ULONG_MAX, s64, u64 } from './u64.ts';

/** update_silence_vars() (7.2). */
function updateSilenceVars(rt: Runtime, ptr: bigint, newPtr: bigint): void {
  let delta = s64(newPtr - ptr);
  if (delta === 0n) return;
  if (delta < 0n) delta = s64(delta + rt.boundary);
  if (u64(delta) < rt.silenceFilled) rt.silenceFilled = u64(rt.silenceFilled - delta);
  else rt.silenceFilled = 0n;
  rt.silenceStart = newPtr;
}

/** How many frames to silence, per the 7.2 rules (null: none). Updates silence_start/filled. */
function frames72(rt: Runtime, newHwPtr: bigint): bigint {
  if (rt.silenceSize < rt.boundary) {
    const appl = rt.applPtr;
    updateSilenceVars(rt, rt.silenceStart, appl);
    if (newHwPtr === ULONG_MAX) newHwPtr = rt.hwPtr;
    let noise = s64(appl - newHwPtr);
    if (noise < 0n) noise = s64(noise + rt.boundary);
    noise = s64(noise + rt.silenceFilled);
    if (noise >= s64(rt.silenceThreshold)) return 0n;
    let frames = u64(rt.silenceThreshold - noise);
    if (frames > rt.silenceSize) frames = rt.silenceSize;
    return frames;
  }
  const hw = rt.hwPtr;
  if (newHwPtr === ULONG_MAX) {
    let avail = s64(rt.applPtr - hw);
    if (avail < 0n) avail = s64(avail + rt.boundary);
    rt.silenceFilled = u64(avail) > rt.bs ? 0n : u64(avail);
    rt.silenceStart = hw;
  } else {
    updateSilenceVars(rt, hw, newHwPtr);
  }
  return u64(rt.bs - rt.silenceFilled);
}

/** The same for Linux 6.1, which measured from the current hw_ptr and filled from silence_start. */
function frames61(rt: Runtime, newHwPtr: bigint): bigint {
  if (rt.silenceSize < rt.boundary) {
    const appl = rt.applPtr;
    if (rt.silenceStart !== appl) {
      let n = s64(appl - rt.silenceStart);
      if (n < 0n) n = s64(n + rt.boundary);
      if (u64(n) < rt.silenceFilled) rt.silenceFilled = u64(rt.silenceFilled - n);
      else rt.silenceFilled = 0n;
      rt.silenceStart = appl;
    }
    if (rt.silenceFilled >= rt.bs) return 0n;
    const noise = s64(playbackHwAvail(rt) + rt.silenceFilled);
    if (noise >= s64(rt.silenceThreshold)) return 0n;
    let frames = u64(rt.silenceThreshold - noise);
    if (frames > rt.silenceSize) frames = rt.silenceSize;
    return frames;
  }
  if (newHwPtr === ULONG_MAX) {
    let avail = playbackHwAvail(rt);
    // `avail > runtime->buffer_size` compares a long with an unsigned long: a negative avail is huge.
    if (u64(avail) > rt.bs) avail = rt.bs;
    rt.silenceFilled = avail > 0n ? avail : 0n;
    rt.silenceStart = u64(rt.hwPtr + rt.silenceFilled) % rt.boundary;
  } else {
    const ofs = rt.hwPtr;
    let frames = u64(newHwPtr - ofs);
    if (s64(frames) < 0n) frames = u64(frames + rt.boundary);
    rt.silenceFilled = u64(rt.silenceFilled - frames);
    if (s64(rt.silenceFilled) < 0n) {
      rt.silenceFilled = 0n;
      rt.silenceStart = newHwPtr;
    } else {
      rt.silenceStart = ofs;
    }
  }
  return u64(rt.bs - rt.silenceFilled);
}

/** snd_pcm_playback_silence(). */
export function playbackSilence(s: Substream, newHwPtr: bigint): void {
  const rt = s.rt;
  const v61 = s.card.v61;
  let frames = v61 ? frames61(rt, newHwPtr) : frames72(rt, newHwPtr);
  if (frames > rt.bs) return; // snd_BUG_ON
  if (frames === 0n) return;
  let ofs = Number((v61 ? rt.silenceStart : u64(rt.silenceStart + rt.silenceFilled)) % rt.bs);
  while (frames > 0n) {
    const transfer = BigInt(ofs) + frames > rt.bs ? BigInt(rt.bufferSize - ofs) : frames;
    fillSilenceFrames(rt, ofs, Number(transfer));
    touch(s, 'CPU_WRITE', ofs, Number(transfer), { why: 'silence' });
    rt.silenceFilled = u64(rt.silenceFilled + transfer);
    frames -= transfer;
    ofs = 0;
  }
  if (!fault(s, 'no-sync-after-silence')) dmaSync(s, 'DEVICE', 'silence');
}
