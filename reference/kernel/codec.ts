// x86_64 codecs of the PCM ABI structs, on the layouts of spec/abi/structs.ts. Pure functions over
// bytes: the guest agent hands the buffers to ioctl(2); the tests check them against gcc and the
// kernel's own answers.
import { ACCESS, ACCESS_VALUE, FORMATS, HW_PARAM, INFO, LONG_MAX, type Format, type InfoFlag } from '../../spec/abi/params.ts';
import { pcmStateName } from '../../spec/abi/states.ts';
import {
  CHANNEL_INFO, HW_PARAMS, MMAP_CONTROL, MMAP_STATUS, PCM_INFO, STATUS, SW_PARAMS, SYNC_PTR, SYNC_PTR32, XFERI,
  type Field, type Layout,
} from '../../spec/abi/structs.ts';
import type { HwCaps, HwConfig, PeekValue, StatusValue, SwConfig, SyncPtrValue } from '../../spec/device.ts';

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const off = (l: Layout, f: string): number => {
  const x: Field | undefined = l.fields[f];
  if (!x) throw new Error(`no field ${f}`);
  return x[0];
};

const UINT_MAX = 0xffffffff;
const MASK_BYTES = 32; // struct snd_mask: 8 × u32
const INTERVAL_BYTES = 12;
const FIRST_INTERVAL = HW_PARAM.SAMPLE_BITS;
const LAST_INTERVAL = HW_PARAM.TICK_TIME;
/** snd_interval flags: openmin:1, openmax:1, integer:1, empty:1 (bit-field order on x86_64). */
const INTERVAL_INTEGER = 1 << 2;

const maskAt = (p: number) => off(HW_PARAMS, 'masks') + (p - HW_PARAM.ACCESS) * MASK_BYTES;
const intervalAt = (p: number) => off(HW_PARAMS, 'intervals') + (p - FIRST_INTERVAL) * INTERVAL_BYTES;

function setMaskAll(v: DataView, p: number): void {
  for (let i = 0; i < MASK_BYTES; i += 4) v.setUint32(maskAt(p) + i, UINT_MAX, true);
}
function setMaskOne(v: DataView, p: number, bit: number): void {
  for (let i = 0; i < MASK_BYTES; i += 4) v.setUint32(maskAt(p) + i, 0, true);
  v.setUint32(maskAt(p) + (bit >> 5) * 4, (1 << (bit & 31)) >>> 0, true);
}
function maskBits(v: DataView, p: number): number[] {
  const out: number[] = [];
  for (let w = 0; w < 8; w++) {
    const x = v.getUint32(maskAt(p) + w * 4, true);
    for (let b = 0; b < 32; b++) if (x & (1 << b)) out.push(w * 32 + b);
  }
  return out;
}
function setInterval(v: DataView, p: number, min: number, max: number, integer: boolean): void {
  v.setUint32(intervalAt(p), min, true);
  v.setUint32(intervalAt(p) + 4, max, true);
  v.setUint32(intervalAt(p) + 8, integer ? INTERVAL_INTEGER : 0, true);
}
function interval(v: DataView, p: number): { min: number; max: number; openmin: boolean; openmax: boolean } {
  const flags = v.getUint32(intervalAt(p) + 8, true);
  return { min: v.getUint32(intervalAt(p), true), max: v.getUint32(intervalAt(p) + 4, true), openmin: !!(flags & 1), openmax: !!(flags & 2) };
}

/** The whole parameter space: every mask full, every interval [0, UINT_MAX], every parameter asked
 * to be refined (what alsa-lib's snd_pcm_hw_params_any() sends). */
export function encodeHwParamsAny(): Uint8Array {
  const b = new Uint8Array(HW_PARAMS.size);
  const v = dv(b);
  for (const p of [HW_PARAM.ACCESS, HW_PARAM.FORMAT, HW_PARAM.SUBFORMAT]) setMaskAll(v, p);
  for (let p = FIRST_INTERVAL; p <= LAST_INTERVAL; p++) setInterval(v, p, 0, UINT_MAX, false);
  v.setUint32(off(HW_PARAMS, 'rmask'), UINT_MAX, true);
  return b;
}

/** A fully specified configuration: one access, one format, subformat STD, and single values for
 * channels, rate, period size and periods; the rest left to the kernel. */
export function encodeHwParams(c: HwConfig): Uint8Array {
  const b = encodeHwParamsAny();
  const v = dv(b);
  v.setUint32(off(HW_PARAMS, 'flags'), c.flags ?? 0, true);
  setMaskOne(v, HW_PARAM.ACCESS, ACCESS_VALUE[c.access]);
  setMaskOne(v, HW_PARAM.FORMAT, FORMATS[c.format].value);
  setMaskOne(v, HW_PARAM.SUBFORMAT, 0);
  setInterval(v, HW_PARAM.CHANNELS, c.channels, c.channels, true);
  setInterval(v, HW_PARAM.RATE, c.rate, c.rate, false);
  setInterval(v, HW_PARAM.PERIOD_SIZE, c.period_size, c.period_size, true);
  setInterval(v, HW_PARAM.PERIODS, c.periods, c.periods, true);
  return b;
}

const FORMAT_BY_VALUE = new Map<number, Format>(Object.entries(FORMATS).map(([k, f]) => [f.value, k as Format]));

/** The configuration a refined or installed hw_params describes (minimum of each interval). */
export function decodeHwConfig(b: Uint8Array): HwConfig & { buffer_size: number } {
  const v = dv(b);
  const access = ACCESS[maskBits(v, HW_PARAM.ACCESS)[0] ?? 0]!;
  const fmtBit = maskBits(v, HW_PARAM.FORMAT)[0] ?? 0;
  const format = FORMAT_BY_VALUE.get(fmtBit);
  if (!format) throw new RangeError(`format ${fmtBit} is not one spec/abi/params.ts names`);
  return {
    access, format,
    channels: interval(v, HW_PARAM.CHANNELS).min,
    rate: interval(v, HW_PARAM.RATE).min,
    period_size: interval(v, HW_PARAM.PERIOD_SIZE).min,
    periods: interval(v, HW_PARAM.PERIODS).min,
    buffer_size: interval(v, HW_PARAM.BUFFER_SIZE).min,
    flags: v.getUint32(off(HW_PARAMS, 'flags'), true),
  };
}

export function decodeInfoFlags(info: number): InfoFlag[] {
  return (Object.entries(INFO) as [InfoFlag, number][]).filter(([, bit]) => (info & bit) >>> 0 === bit).map(([k]) => k);
}

/** What a driver offers for one direction, read from the refinement of the whole space. */
export function decodeHwCaps(b: Uint8Array): HwCaps {
  const v = dv(b);
  const iv = (p: number) => {
    const i = interval(v, p);
    return { min: i.openmin ? i.min + 1 : i.min, max: i.openmax ? i.max - 1 : i.max };
  };
  const rates = iv(HW_PARAM.RATE);
  return {
    info: decodeInfoFlags(v.getUint32(off(HW_PARAMS, 'info'), true)),
    formats: maskBits(v, HW_PARAM.FORMAT).flatMap((x) => FORMAT_BY_VALUE.get(x) ?? []),
    rates: rates.min === rates.max ? { ...rates, list: [rates.min] } : rates,
    channels: iv(HW_PARAM.CHANNELS),
    buffer_bytes_max: iv(HW_PARAM.BUFFER_BYTES).max,
    period_bytes: iv(HW_PARAM.PERIOD_BYTES),
    periods: iv(HW_PARAM.PERIODS),
  };
}


// ---------------------------------------------------------------------------------------------

export function encodeSwParams(s: SwConfig, defaultProto: number): Uint8Array {
  const b = new Uint8Array(SW_PARAMS.size);
  const v = dv(b);
  v.setInt32(off(SW_PARAMS, 'tstamp_mode'), s.tstamp_mode ?? 0, true);
  v.setUint32(off(SW_PARAMS, 'period_step'), s.period_step ?? 1, true);
  v.setBigUint64(off(SW_PARAMS, 'avail_min'), s.avail_min, true);
  v.setBigUint64(off(SW_PARAMS, 'start_threshold'), s.start_threshold, true);
  v.setBigUint64(off(SW_PARAMS, 'stop_threshold'), s.stop_threshold, true);
  v.setBigUint64(off(SW_PARAMS, 'silence_threshold'), s.silence_threshold, true);
  v.setBigUint64(off(SW_PARAMS, 'silence_size'), s.silence_size, true);
  v.setUint32(off(SW_PARAMS, 'proto'), s.proto ?? defaultProto, true);
  v.setUint32(off(SW_PARAMS, 'tstamp_type'), s.tstamp_type ?? 0, true);
  return b;
}

export const decodeSwBoundary = (b: Uint8Array): bigint => dv(b).getBigUint64(off(SW_PARAMS, 'boundary'), true);

/** ring.boundary.64: the boundary snd_pcm_hw_params() derives from the buffer size. */
export function boundaryOf(bufferSize: number): bigint {
  const n = BigInt(bufferSize);
  if (n === 0n) return 0n;
  let b = n;
  while (b * 2n <= LONG_MAX - n) b *= 2n;
  return b;
}

export function decodeStatus(b: Uint8Array): StatusValue {
  const v = dv(b);
  return {
    state: pcmStateName(v.getInt32(off(STATUS, 'state'), true)),
    suspended_state: pcmStateName(v.getInt32(off(STATUS, 'suspended_state'), true)),
    appl_ptr: v.getBigUint64(off(STATUS, 'appl_ptr'), true),
    hw_ptr: v.getBigUint64(off(STATUS, 'hw_ptr'), true),
    delay: v.getBigInt64(off(STATUS, 'delay'), true),
    avail: v.getBigUint64(off(STATUS, 'avail'), true),
    avail_max: v.getBigUint64(off(STATUS, 'avail_max'), true),
  };
}

export function encodeSyncPtr(flags: number, appl_ptr: bigint, avail_min: bigint, compat32: boolean): Uint8Array {
  const L = compat32 ? SYNC_PTR32 : SYNC_PTR;
  const b = new Uint8Array(L.size);
  const v = dv(b);
  v.setUint32(off(L, 'flags'), flags, true);
  if (compat32) {
    v.setUint32(off(L, 'c.appl_ptr'), Number(BigInt.asUintN(32, appl_ptr)), true);
    v.setUint32(off(L, 'c.avail_min'), Number(BigInt.asUintN(32, avail_min)), true);
  } else {
    v.setBigUint64(off(L, 'c.appl_ptr'), BigInt.asUintN(64, appl_ptr), true);
    v.setBigUint64(off(L, 'c.avail_min'), BigInt.asUintN(64, avail_min), true);
  }
  return b;
}

export function decodeSyncPtr(b: Uint8Array, compat32: boolean): SyncPtrValue {
  const L = compat32 ? SYNC_PTR32 : SYNC_PTR;
  const v = dv(b);
  const u = (f: string) => (compat32 ? BigInt(v.getUint32(off(L, f), true)) : v.getBigUint64(off(L, f), true));
  return {
    state: pcmStateName(v.getInt32(off(L, 's.state'), true)),
    suspended_state: pcmStateName(v.getInt32(off(L, 's.suspended_state'), true)),
    hw_ptr: u('s.hw_ptr'),
    appl_ptr: u('c.appl_ptr'),
    avail_min: u('c.avail_min'),
  };
}

/** The mmap'd status and control pages, read in place (no copy, no syscall). */
export function readPages(status: DataView, control: DataView): PeekValue {
  return {
    state: pcmStateName(status.getInt32(off(MMAP_STATUS, 'state'), true)),
    suspended_state: pcmStateName(status.getInt32(off(MMAP_STATUS, 'suspended_state'), true)),
    hw_ptr: status.getBigUint64(off(MMAP_STATUS, 'hw_ptr'), true),
    appl_ptr: control.getBigUint64(off(MMAP_CONTROL, 'appl_ptr'), true),
    avail_min: control.getBigUint64(off(MMAP_CONTROL, 'avail_min'), true),
  };
}

export function writeControl(control: DataView, appl_ptr?: bigint, avail_min?: bigint): void {
  if (appl_ptr !== undefined) control.setBigUint64(off(MMAP_CONTROL, 'appl_ptr'), BigInt.asUintN(64, appl_ptr), true);
  if (avail_min !== undefined) control.setBigUint64(off(MMAP_CONTROL, 'avail_min'), BigInt.asUintN(64, avail_min), true);
}

/** struct snd_xferi / snd_xfern: result, a user pointer (buf or bufs), frames. */
export function encodeXfer(ptr: bigint, frames: number): Uint8Array {
  const b = new Uint8Array(XFERI.size);
  const v = dv(b);
  v.setBigUint64(off(XFERI, 'buf'), ptr, true);
  v.setBigUint64(off(XFERI, 'frames'), BigInt(frames), true);
  return b;
}
export const decodeXferResult = (b: Uint8Array): bigint => dv(b).getBigInt64(off(XFERI, 'result'), true);

export function encodeChannelInfo(channel: number): Uint8Array {
  const b = new Uint8Array(CHANNEL_INFO.size);
  dv(b).setUint32(off(CHANNEL_INFO, 'channel'), channel, true);
  return b;
}
export function decodeChannelInfo(b: Uint8Array): { channel: number; offset: bigint; first: number; step: number } {
  const v = dv(b);
  return {
    channel: v.getUint32(off(CHANNEL_INFO, 'channel'), true),
    offset: v.getBigInt64(off(CHANNEL_INFO, 'offset'), true),
    first: v.getUint32(off(CHANNEL_INFO, 'first'), true),
    step: v.getUint32(off(CHANNEL_INFO, 'step'), true),
  };
}

/** struct snd_pcm_info: the identifying fields; the names are NUL-terminated strings at fixed
 * offsets (id[64] at 16, name[80] at 80, subname[32] at 160; subdevices_count at 200). */
export const PCM_INFO_TEXT = { id: [16, 64], name: [80, 80], subname: [160, 32], subdevices_count: [200, 4], subdevices_avail: [204, 4] } as const;
export function decodePcmInfo(b: Uint8Array) {
  const v = dv(b);
  const str = ([o, n]: readonly [number, number]) => {
    const s = b.subarray(o, o + n);
    const z = s.indexOf(0);
    return new TextDecoder().decode(z < 0 ? s : s.subarray(0, z));
  };
  return {
    device: v.getUint32(off(PCM_INFO, 'device'), true),
    subdevice: v.getUint32(off(PCM_INFO, 'subdevice'), true),
    stream: v.getInt32(off(PCM_INFO, 'stream'), true),
    card: v.getInt32(off(PCM_INFO, 'card'), true),
    id: str(PCM_INFO_TEXT.id),
    name: str(PCM_INFO_TEXT.name),
    subname: str(PCM_INFO_TEXT.subname),
    subdevices_count: v.getUint32(PCM_INFO_TEXT.subdevices_count[0], true),
    subdevices_avail: v.getUint32(PCM_INFO_TEXT.subdevices_avail[0], true),
  };
}
