// The virtual DMA engine (spec/pcm/device.md). Each substream's device has a position `pos` in
// [0, buffer_size) that the driver's prepare resets to 0 and that moves only while the stream runs
// (RUNNING, or DRAINING on playback). ADVANCE moves it frame-wise; at each period boundary the
// driver calls snd_pcm_period_elapsed(). Once the stream stops, the rest of the advance does not
// happen. Playback frames it moves past are consumed (into the sink, and the cable in loopback
// mode, and the port's `play`); capture frames are produced (from the cable in loopback mode, else
// the port's `record` or the test pattern).
import { fillPattern } from '../../spec/device.ts';
import { isRunning, type Substream } from './card.ts';
import { gatherFrames, scatterFrames } from './buffer.ts';
import { silenceByte } from './format.ts';
import { periodElapsed } from './hwptr.ts';
import { playbackHwAvail, type Runtime } from './runtime.ts';
import { touch } from './sync.ts';

/** Moves `frames` frames of device data at buffer offset `ofs` (a run that does not wrap). */
function moveData(s: Substream, ofs: number, frames: number): void {
  const rt = s.rt;
  const card = s.card;
  const bytes = frames * rt.frameBytes;
  const port = card.opts.port;
  if (s.playback) {
    if (card.recorder.enabled) {
      // Which of these frames the application has committed (they lie before appl_ptr).
      const lag = BigInt((rt.pos - Number(rt.hwPtr % rt.bs) + rt.bufferSize) % rt.bufferSize);
      const queued = playbackHwAvail(rt) - lag;
      const committed = queued <= 0n ? 0 : queued >= BigInt(frames) ? frames : Number(queued);
      touch(s, 'DEVICE_READ', ofs, committed, { committed: true });
      touch(s, 'DEVICE_READ', ofs + committed, frames - committed, { committed: false });
    }
    const cap = card.capture;
    const toCable = card.cable !== null && cap?.runtime != null && isRunning(cap);
    if (!card.sink.enabled && !toCable && !port.play) return; // nobody reads what the device plays
    const out = scratch(rt, bytes);
    gatherFrames(rt, ofs, frames, out);
    card.sink.record(out);
    if (toCable) card.cable!.push(out);
    port.play?.(out);
    return;
  }
  const src = scratch(rt, bytes);
  if (card.cable) card.cable.pull(src, silenceByte(rt.format));
  else if (port.record) port.record(src);
  else fillPattern(src, rt.sourceFrame, rt.frameBytes);
  rt.sourceFrame += frames;
  scatterFrames(rt, ofs, src);
  touch(s, 'DEVICE_WRITE', ofs, frames);
}

/** A reusable view of `bytes` bytes for the device's own copies. */
function scratch(rt: Runtime, bytes: number): Uint8Array {
  if (rt.scratch.length < bytes) rt.scratch = new Uint8Array(bytes);
  return rt.scratch.subarray(0, bytes);
}

/** device.advance.running / device.advance.stopped: returns the frames the device ran. */
export function advance(s: Substream, frames: number): number {
  if (!s.runtime || !isRunning(s)) return 0;
  const rt = s.rt;
  let ran = 0;
  while (ran < frames) {
    const toBoundary = rt.periodSize - (rt.pos % rt.periodSize);
    const step = Math.min(frames - ran, toBoundary);
    moveData(s, rt.pos, step);
    rt.pos = (rt.pos + step) % rt.bufferSize;
    ran += step;
    if (step === toBoundary) {
      periodElapsed(s);
      if (!isRunning(s)) break;
    }
  }
  return ran;
}
