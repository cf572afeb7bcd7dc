// The virtual DMA engine (spec/pcm/device.md). Each substream's device has a position `pos` in
// [0, buffer_size) that the driver's prepare resets to 0 and that moves only while the stream runs
// (RUNNING, or DRAINING on playback). ADVANCE moves it frame-wise; at each period boundary the
// driver calls snd_pcm_period_elapsed(). Once the stream stops, the rest of the advance does not
// happen. Playback frames it moves past are consumed (into the sink, and the cable in loopback
// mode); capture frames are produced (from the cable in loopback mode, else the test pattern).
import { fillPattern } from '../../spec/device.ts';
import { isRunning, type Substream } from './card.ts';
import { gatherFrames, scatterFrames } from './buffer.ts';
import { silenceByte } from './format.ts';
import { periodElapsed } from './hwptr.ts';

/** Moves `frames` frames of device data at buffer offset `ofs` (a run that does not wrap). */
function moveData(s: Substream, ofs: number, frames: number): void {
  const rt = s.rt;
  const card = s.card;
  const bytes = new Uint8Array(frames * rt.frameBytes);
  if (s.playback) {
    gatherFrames(rt, ofs, frames, bytes);
    card.sink.record(bytes);
    const cap = card.sub('CAPTURE');
    if (card.cable && cap?.runtime && isRunning(cap)) card.cable.push(bytes);
    return;
  }
  if (card.cable) card.cable.pull(bytes, silenceByte(rt.format));
  else fillPattern(bytes, rt.sourceFrame, rt.frameBytes);
  rt.sourceFrame += frames;
  scatterFrames(rt, ofs, bytes);
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
