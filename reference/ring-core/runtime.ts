// struct snd_pcm_runtime (include/sound/pcm.h) and the driver-private state of the virtual device.
// snd_pcm_attach_substream() allocates it zeroed, so every field starts at 0 (state OPEN,
// access 0 = MMAP_INTERLEAVED, format 0 = S8) and HW_FREE leaves the old values behind.
// Frame counters are bigint (u64); buffer geometry is small and kept as numbers with bigint copies.
import type { Access, Format } from '../../spec/abi/params.ts';
import type { PcmState } from '../../spec/abi/states.ts';
import { s64, u64 } from './u64.ts';
import type { FastLane } from './fast.ts';
import type { DmaBuffer } from './dma.ts';

export class Runtime {
  state: PcmState = 'OPEN';
  suspendedState: PcmState = 'OPEN';

  // hw_params
  access: Access = 'MMAP_INTERLEAVED';
  format: Format = 'S8';
  channels = 0;
  rate = 0;
  periodSize = 0;
  periods = 0;
  bufferSize = 0;
  /** bigint copies of period_size and buffer_size for pointer arithmetic. */
  ps = 0n;
  bs = 0n;
  /** runtime->info: the driver's info flags as the last successful HW_PARAMS left them. */
  info = 0;
  noPeriodWakeup = false;
  sampleBits = 0;
  frameBits = 0;
  byteAlign = 0;
  minAlign = 0;
  /** Bytes per frame (frame_bits / 8; whole bytes for every format the core knows). */
  frameBytes = 0;
  sampleBytes = 0;

  // sw_params
  tstampMode = 0;
  tstampType = 0;
  periodStep = 0;
  startThreshold = 0n;
  stopThreshold = 0n;
  silenceThreshold = 0n;
  silenceSize = 0n;
  boundary = 0n;

  // silence filler
  silenceStart = 0n;
  silenceFilled = 0n;

  // pointers: status page (hw_ptr) and control page (appl_ptr, avail_min)
  hwPtr = 0n;
  applPtr = 0n;
  availMin = 0n;
  hwPtrBase = 0n;
  hwPtrInterrupt = 0n;
  availMax = 0n;
  /** runtime->twake: the wake-up level of a blocked transfer (0 when none waits). */
  twake = 0n;

  // the DMA buffer (spec/pcm/managed.md)
  /** runtime->dma_buffer_p: the substream's preallocated buffer or one of the runtime's own. */
  dmaBuffer: DmaBuffer | null = null;
  /** The CPU's view of the first dma_bytes bytes (runtime->dma_area): what the core copies. */
  dma: Uint8Array | null = null;
  /** The device's view of the same bytes: what the DMA engine moves (the same memory unless the
   * buffer needs syncing, spec/pcm/sync.md). */
  devView: Uint8Array | null = null;
  dmaBytes = 0;
  /** runtime->buffer_changed: the last managed HW_PARAMS got a different buffer. */
  bufferChanged = false;

  // driver private data of the virtual device
  /** DMA position in frames, [0, buffer_size). */
  pos = 0;
  /** Capture without loopback: frames of test pattern the device has produced since OPEN. */
  sourceFrame = 0;
  /** Scratch space for the device's copies. */
  scratch = new Uint8Array(0);
  /** While armed, the pointers live here (fast.ts); every exact entry point folds it back first. */
  lane: FastLane | null = null;
}

/** ring.avail.playback — include/sound/pcm.h snd_pcm_playback_avail(). */
export function playbackAvail(rt: Runtime): bigint {
  let a = s64(rt.hwPtr + rt.bs - rt.applPtr);
  if (a < 0n) a = s64(a + rt.boundary);
  else if (u64(a) >= rt.boundary) a = s64(a - rt.boundary);
  return u64(a);
}

/** ring.avail.capture — include/sound/pcm.h snd_pcm_capture_avail(). */
export function captureAvail(rt: Runtime): bigint {
  let a = s64(rt.hwPtr - rt.applPtr);
  if (a < 0n) a = s64(a + rt.boundary);
  return u64(a);
}

/** snd_pcm_playback_hw_avail(): the queued frames, signed. */
export const playbackHwAvail = (rt: Runtime): bigint => s64(rt.bs - playbackAvail(rt));

/** snd_pcm_capture_hw_avail(): the free space, signed. */
export const captureHwAvail = (rt: Runtime): bigint => s64(rt.bs - captureAvail(rt));
