// HW_REFINE, HW_PARAMS, HW_FREE, SW_PARAMS and CHANNEL_INFO (sound/core/pcm_native.c).
//
// The callers send fully specified configurations, for which the kernel's refinement against the
// constraints of snd_pcm_hw_constraints_init() and snd_pcm_hw_constraints_complete() reduces to
// the membership checks of `admissible()` (spec pcm.hw-params.invalid).
import { fault } from './card.ts';
import type { HwConfig, SwConfig } from '../../spec/device.ts';
import { ACCESS, INFO, TSTAMP_LAST, TSTAMP_TYPE_LAST, type Access } from '../../spec/abi/params.ts';
import { PCM_VERSION, protocolVersion } from '../../spec/abi/ioctl.ts';
import { isRunning, type Substream } from './card.ts';
import { kerr, type KErr } from './errors.ts';
import { isFormat, physicalWidth } from './format.ts';
import { updateState } from './hwptr.ts';
import { playbackSilence } from './silence.ts';
import { boundary64, ULONG_MAX, u64 } from './u64.ts';

const PAGE = 4096;
const pageAlign = (n: number): number => Math.ceil(n / PAGE) * PAGE;

/** The access modes snd_pcm_hw_constraints_complete() admits (the virtual buffer can be mapped
 * whenever the driver declares INFO_MMAP: hw_support_mmap() for a continuous/vmalloc buffer). */
function accessAllowed(s: Substream, a: Access): boolean {
  const info = s.hwInfo;
  const mmap = (info & INFO.MMAP) !== 0;
  switch (a) {
    case 'RW_INTERLEAVED':
      return (info & INFO.INTERLEAVED) !== 0;
    case 'RW_NONINTERLEAVED':
      return (info & INFO.NONINTERLEAVED) !== 0;
    case 'MMAP_INTERLEAVED':
      return mmap && (info & INFO.INTERLEAVED) !== 0;
    case 'MMAP_NONINTERLEAVED':
      return mmap && (info & INFO.NONINTERLEAVED) !== 0;
    case 'MMAP_COMPLEX':
      return mmap && (info & INFO.COMPLEX) !== 0;
  }
}

const posInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
const within = (n: number, r: { min: number; max: number }): boolean => n >= r.min && n <= r.max;

/** Whether the refinement of a fully specified configuration leaves it non-empty. */
function admissible(s: Substream, p: HwConfig): boolean {
  const c = s.caps;
  if (!(ACCESS as readonly string[]).includes(p.access) || !accessAllowed(s, p.access)) return false;
  if (!isFormat(p.format) || !c.formats.includes(p.format)) return false;
  if (!posInt(p.channels) || !posInt(p.rate) || !posInt(p.period_size) || !posInt(p.periods)) return false;
  if (!within(p.channels, c.channels) || !within(p.rate, c.rates)) return false;
  if (c.rates.list && !c.rates.list.includes(p.rate)) return false;
  if (!within(p.periods, c.periods)) return false;
  const frameBytes = (physicalWidth(p.format) * p.channels) / 8;
  const periodBytes = p.period_size * frameBytes;
  const bufferBytes = periodBytes * p.periods;
  if (!within(periodBytes, c.period_bytes)) return false;
  return bufferBytes >= c.period_bytes.min && bufferBytes <= c.buffer_bytes_max;
}

const settled = (p: HwConfig) => ({ ...p, buffer_size: p.period_size * p.periods });

/** pcm.hw-refine.ok, pcm.hw-refine.invalid — snd_pcm_hw_refine_user(): no state check at all. */
export function hwRefine(s: Substream, p: HwConfig): KErr | ReturnType<typeof settled> {
  return admissible(s, p) ? settled(p) : kerr('EINVAL', 'pcm.hw-refine.invalid');
}

/** snd_pcm_hw_params(). */
export function hwParams(s: Substream, p: HwConfig): KErr | ReturnType<typeof settled> {
  const rt = s.rt;
  const st = rt.state;
  if (st !== 'OPEN' && st !== 'SETUP' && st !== 'PREPARED') return kerr('EBADFD', 'pcm.hw-params.bad-state');
  if (s.mmapCount > 0) return kerr('EBADFD', 'pcm.hw-params.mmapped');
  if (!admissible(s, p)) {
    // the _error path: OPEN, the driver's hw_free, the managed buffer freed
    rt.state = 'OPEN';
    rt.dma = null;
    rt.dmaBytes = 0;
    return kerr('EINVAL', 'pcm.hw-params.invalid');
  }
  rt.access = p.access;
  rt.format = p.format;
  rt.channels = p.channels;
  rt.rate = p.rate;
  rt.periodSize = p.period_size;
  rt.periods = p.periods;
  rt.bufferSize = p.period_size * p.periods;
  rt.ps = BigInt(rt.periodSize);
  rt.bs = BigInt(rt.bufferSize);
  let info = s.hwInfo & ~(INFO.FIFO_IN_FRAMES | INFO.DRAIN_TRIGGER);
  if (!(s.hwInfo & INFO.MMAP)) info &= ~(INFO.MMAP | INFO.MMAP_VALID);
  rt.info = info >>> 0;
  rt.noPeriodWakeup = (rt.info & INFO.NO_PERIOD_WAKEUP) !== 0 && ((p.flags ?? 0) & 4) !== 0;
  rt.sampleBits = physicalWidth(p.format);
  rt.frameBits = rt.sampleBits * rt.channels;
  let bits = rt.frameBits;
  let frames = 1;
  while (bits % 8 !== 0) {
    bits *= 2;
    frames *= 2;
  }
  rt.byteAlign = bits / 8;
  rt.minAlign = frames;
  rt.sampleBytes = rt.sampleBits / 8;
  rt.frameBytes = rt.frameBits / 8;
  rt.tstampMode = 0;
  rt.periodStep = 1;
  rt.availMin = rt.ps;
  rt.startThreshold = 1n;
  rt.stopThreshold = rt.bs;
  rt.silenceThreshold = 0n;
  rt.silenceSize = 0n;
  rt.boundary = boundary64(rt.bufferSize) / (fault(s, 'boundary-halved') ? 2n : 1n);
  rt.dmaBytes = rt.bufferSize * rt.frameBytes;
  // zeroed "for avoiding possible kernel info leaks"
  rt.dma = s.card.opts.sharedDma ? new Uint8Array(new SharedArrayBuffer(rt.dmaBytes)) : new Uint8Array(rt.dmaBytes);
  rt.state = 'SETUP';
  return settled(p);
}

/** snd_pcm_hw_free(): only the state changes (pcm.hw-free.leaves); the managed buffer goes. */
export function hwFree(s: Substream): KErr | null {
  const rt = s.rt;
  if (rt.state !== 'SETUP' && rt.state !== 'PREPARED') return kerr('EBADFD', 'pcm.hw-free.bad-state');
  if (s.mmapCount > 0) return kerr('EBADFD', 'pcm.hw-free.mmapped');
  doHwFree(s);
  rt.state = 'OPEN';
  if (fault(s, 'hw-free-clears-info')) rt.info = 0;
  return null;
}

/** do_hw_free(): the driver's hw_free and the managed buffer's release. */
export function doHwFree(s: Substream): void {
  s.rt.dma = null;
  s.rt.dmaBytes = 0;
}

const PROTO_2_0_12 = protocolVersion(2, 0, 12);

/** snd_pcm_sw_params(): the boundary on success. */
export function swParams(s: Substream, p: SwConfig): KErr | bigint {
  const rt = s.rt;
  if (rt.state === 'OPEN') return kerr('EBADFD', 'pcm.sw-params.open');
  const tstampMode = (p.tstamp_mode ?? 0) | 0;
  const tstampType = (p.tstamp_type ?? 0) >>> 0;
  const proto = (p.proto ?? PCM_VERSION[s.card.opts.follows]) >>> 0;
  const availMin = u64(p.avail_min);
  const silenceSize = u64(p.silence_size);
  const silenceThreshold = u64(p.silence_threshold);
  const bad = kerr('EINVAL', 'pcm.sw-params.invalid');
  if (tstampMode < 0 || tstampMode > TSTAMP_LAST) return bad;
  if (proto >= PROTO_2_0_12 && tstampType > TSTAMP_TYPE_LAST) return bad;
  if (availMin === 0n) return bad;
  if (silenceSize >= rt.boundary) {
    if (silenceThreshold !== 0n) return bad;
  } else {
    if (silenceSize > silenceThreshold) return bad;
    if (silenceThreshold > rt.bs) return bad;
  }
  rt.tstampMode = tstampMode;
  if (proto >= PROTO_2_0_12) rt.tstampType = tstampType;
  rt.periodStep = (p.period_step ?? 1) >>> 0;
  rt.availMin = availMin;
  rt.startThreshold = u64(p.start_threshold);
  rt.stopThreshold = u64(p.stop_threshold);
  rt.silenceThreshold = silenceThreshold;
  rt.silenceSize = silenceSize;
  if (isRunning(s)) {
    if (s.playback && rt.silenceSize > 0n) playbackSilence(s, ULONG_MAX);
    const e = updateState(s);
    if (e) return kerr('EPIPE', 'pcm.sw-params.running');
  }
  return rt.boundary;
}

/** snd_pcm_channel_info() with snd_pcm_lib_ioctl_channel_info(). */
export function channelInfo(s: Substream, channel: number): KErr | { offset: number; first: number; step: number } {
  const rt = s.rt;
  if (rt.state === 'OPEN') return kerr('EBADFD', 'pcm.channel-info.open');
  if (channel >>> 0 >= rt.channels || !Number.isInteger(channel)) return kerr('EINVAL', 'pcm.channel-info.invalid');
  if (!(rt.info & INFO.MMAP)) return { offset: -1, first: 0, step: 0 };
  const width = rt.sampleBits;
  if (rt.access === 'MMAP_INTERLEAVED' || rt.access === 'RW_INTERLEAVED') {
    return { offset: 0, first: channel * width, step: rt.channels * width };
  }
  return { offset: 0, first: channel * Math.floor(rt.dmaBytes / rt.channels) * 8, step: width };
}

/** PAGE_ALIGN of the buffer bytes, which the data mapping is checked against. */
export const mappableBytes = (s: Substream): number => pageAlign(s.rt.dmaBytes);
