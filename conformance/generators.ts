// The commands the conformance suite sends. For generated paths: a small geometry and a few values
// per parameter, chosen so that every behaviour class is reachable (empty / below the start
// threshold / full / past the stop threshold, mid-period and period boundaries). For random
// sequences: fast-check arbitraries over realistic geometries and exact values.
import fc from 'fast-check';
import { FORMATS, type Access, type Format } from '../spec/abi/params.ts';
import type { StreamDir } from '../spec/abi/states.ts';
import type { Command, HwCaps, HwConfig, SwConfig } from '../spec/device.ts';
import type { PcmContext } from '../machines/pcm/context.ts';

const clamp = (v: number, r: { min: number; max: number }) => Math.min(Math.max(v, r.min), r.max);

/**
 * A device whose clock is not the test's needs periods long enough for the harness to act within
 * one (a command and its observations take milliseconds under emulation): the geometry paths and
 * random sequences use on such a device. 43 ms periods at 48 kHz.
 */
export const REAL_TIME_GEOMETRY = { rate: 48000, period: 2048 } as const;
export type PathGeometry = { rate: number; period: number };

/** The smallest configuration the caps admit for `access`: periods of ≥ period_bytes.min; with a
 * geometry, its period and rate as far as the caps allow. */
export function smallConfig(caps: HwCaps, access: Access, periods = 2, geometry?: PathGeometry): HwConfig {
  const format: Format = caps.formats.includes('S16_LE') ? 'S16_LE' : caps.formats[0]!;
  const channels = clamp(2, caps.channels);
  const frameBytes = (FORMATS[format].bits / 8) * channels;
  const n = clamp(periods, caps.periods);
  let period = 1;
  while (period * frameBytes < caps.period_bytes.min) period *= 2;
  if (geometry) {
    const most = Math.min(caps.period_bytes.max, Math.floor(caps.buffer_bytes_max / n));
    while (period < geometry.period && period * 2 * frameBytes <= most) period *= 2;
  }
  const want = geometry?.rate ?? 48000;
  const rate = caps.rates.list ? (caps.rates.list.includes(want) ? want : caps.rates.list[0]!) : clamp(want, caps.rates);
  return { access, format, channels, rate, period_size: period, periods: n };
}

const accessModes = (caps: HwCaps): Access[] => {
  const has = (f: string) => caps.info.includes(f as never);
  const out: Access[] = [];
  if (has('INTERLEAVED')) out.push('RW_INTERLEAVED');
  if (has('MMAP') && has('INTERLEAVED')) out.push('MMAP_INTERLEAVED');
  if (has('NONINTERLEAVED')) out.push('RW_NONINTERLEAVED');
  return out;
};

/** The configurations paths try: one per access mode, plus one the driver must refuse. */
export function pathConfigs(caps: HwCaps, geometry?: PathGeometry): HwConfig[] {
  const modes = accessModes(caps);
  const valid = modes.map((a) => smallConfig(caps, a, 2, geometry));
  const bad = { ...smallConfig(caps, modes[0] ?? 'RW_INTERLEAVED', 2, geometry), channels: caps.channels.max + 1 };
  return [...valid, bad];
}

const sw = (p: Partial<SwConfig> & { avail_min: bigint }): SwConfig => ({
  start_threshold: 1n,
  stop_threshold: 0n,
  silence_threshold: 0n,
  silence_size: 0n,
  ...p,
});

/** Software parameter sets for a setup: the defaults, start-when-full, free-running, silence, invalid. */
export function pathSwParams(period: bigint, buffer: bigint, boundary: bigint): SwConfig[] {
  return [
    sw({ avail_min: period, start_threshold: 1n, stop_threshold: buffer }),
    sw({ avail_min: period, start_threshold: buffer, stop_threshold: buffer }),
    sw({ avail_min: period, start_threshold: buffer, stop_threshold: boundary }),
    sw({ avail_min: period, start_threshold: 1n, stop_threshold: buffer, silence_threshold: period, silence_size: period }),
    sw({ avail_min: 0n, stop_threshold: buffer }),
  ];
}

/** Events for one file slot in the state `ctx` shows. */
function fileEvents(ctx: PcmContext, fd: number, caps: Partial<Record<StreamDir, HwCaps>>, geometry?: PathGeometry): Command[] {
  const s = ctx.streams[fd]!;
  const opens: Command[] = [];
  if (s.state === 'CLOSED') {
    for (const stream of ['PLAYBACK', 'CAPTURE'] as const) {
      for (const nonblock of [true, false]) opens.push({ type: 'OPEN', fd, stream, nonblock });
    }
  }
  const c = caps[s.dir];
  const cfgs = c ? pathConfigs(c, geometry) : [];
  const hw = s.hw;
  const period = hw?.periodSize ?? 16n;
  const buffer = hw?.bufferSize ?? 32n;
  const frameBytes = hw?.frameBytes ?? 4;
  const other = ctx.files === 2 ? 1 - fd : fd;
  const events: Command[] = [
    ...(opens.length ? opens : [{ type: 'OPEN', fd, stream: s.dir, nonblock: true } as const]),
    { type: 'CLOSE', fd },
    ...cfgs.map((params) => ({ type: 'HW_PARAMS', fd, params }) as const),
    ...cfgs.slice(-1).map((params) => ({ type: 'HW_REFINE', fd, params }) as const),
    { type: 'HW_REFINE', fd, params: cfgs[0]! },
    { type: 'HW_FREE', fd },
    ...pathSwParams(period, buffer, s.boundary).map((params) => ({ type: 'SW_PARAMS', fd, params }) as const),
    { type: 'PREPARE', fd },
    { type: 'START', fd },
    { type: 'DROP', fd },
    { type: 'DRAIN', fd },
    { type: 'PAUSE', fd, push: true },
    { type: 'PAUSE', fd, push: false },
    { type: 'RESET', fd },
    { type: 'RESUME', fd },
    { type: 'XRUN', fd },
    { type: 'STATUS', fd, ext: false },
    { type: 'DELAY', fd },
    { type: 'HWSYNC', fd },
    { type: 'SYNC_PTR', fd, flags: 6, appl_ptr: 0n, avail_min: 0n, compat32: false },
    { type: 'SYNC_PTR', fd, flags: 0, appl_ptr: s.applPtr + period, avail_min: period, compat32: false },
    { type: 'SYNC_PTR', fd, flags: 7, appl_ptr: 0n, avail_min: 0n, compat32: false },
    { type: 'SYNC_PTR', fd, flags: 4, appl_ptr: s.boundary + 1n, avail_min: 0n, compat32: false },
    { type: 'SYNC_PTR', fd, flags: 5, appl_ptr: s.boundary + 1n, avail_min: 0n, compat32: false },
    { type: 'SYNC_PTR', fd, flags: 6, appl_ptr: 0n, avail_min: 0n, compat32: true },
    { type: 'REWIND', fd, frames: period },
    { type: 'REWIND', fd, frames: 0n },
    { type: 'FORWARD', fd, frames: 0n },
    { type: s.dir === 'PLAYBACK' ? 'WRITEI' : 'READI', fd, frames: 0 },
    { type: 'FORWARD', fd, frames: period },
    { type: s.dir === 'PLAYBACK' ? 'WRITEI' : 'READI', fd, frames: Number(period) },
    { type: s.dir === 'PLAYBACK' ? 'WRITEI' : 'READI', fd, frames: Number(buffer) },
    { type: s.dir === 'PLAYBACK' ? 'READI' : 'WRITEI', fd, frames: Number(period) },
    { type: s.dir === 'PLAYBACK' ? 'WRITEN' : 'READN', fd, frames: Number(period) },
    { type: s.dir === 'PLAYBACK' ? 'WRITE' : 'READ', fd, bytes: Number(period) * frameBytes },
    { type: s.dir === 'PLAYBACK' ? 'WRITE' : 'READ', fd, bytes: 1 },
    { type: s.dir === 'PLAYBACK' ? 'WRITE' : 'READ', fd, bytes: 0 },
    { type: s.dir === 'PLAYBACK' ? 'READ' : 'WRITE', fd, bytes: Number(period) * frameBytes },
    { type: s.dir === 'PLAYBACK' ? 'READN' : 'WRITEN', fd, frames: Number(period) },
    { type: s.dir === 'PLAYBACK' ? 'WRITEN' : 'READN', fd, frames: 0 },
    { type: s.dir === 'PLAYBACK' ? 'WRITEN' : 'READN', fd, frames: Number(buffer) },
    { type: 'POLL', fd },
    { type: 'PEEK', fd },
    { type: 'MMAP', fd, area: 'DATA' },
    { type: 'MMAP', fd, area: 'DATA', prot: s.dir === 'PLAYBACK' ? 'NONE' : 'W' },
    { type: 'MMAP', fd, area: 'DATA', bytes: 1 << 30 },
    { type: 'MMAP', fd, area: 'STATUS', bytes: 0 },
    { type: 'MMAP', fd, area: 'STATUS', prot: 'R' },
    { type: 'MMAP', fd, area: 'STATUS', prot: 'R', bytes: 8192 },
    { type: 'MMAP', fd, area: 'CONTROL' },
    { type: 'MMAP', fd, area: 'CONTROL', bytes: 8192 },
    { type: 'MUNMAP', fd, area: 'DATA' },
    { type: 'MUNMAP', fd, area: 'STATUS' },
    { type: 'MUNMAP', fd, area: 'CONTROL' },
    { type: 'CONTROL_WRITE', fd, appl_ptr: s.applPtr + period },
    { type: 'MAP_WRITE', fd, offset: 0, frames: Number(period) },
    { type: 'MAP_READ', fd, offset: Number(buffer) * frameBytes, frames: Number(period) },
    { type: 'LINK', fd, other },
    { type: 'UNLINK', fd },
    { type: 'PVERSION', fd },
    { type: 'INFO', fd },
    { type: 'TTSTAMP', fd, tstamp_type: 1 },
    { type: 'TTSTAMP', fd, tstamp_type: 3 },
    { type: 'USER_PVERSION', fd, version: 0x2000e },
    { type: 'CHANNEL_INFO', fd, channel: 0 },
    { type: 'CHANNEL_INFO', fd, channel: 64 },
    { type: 'RAW_IOCTL', fd, request: 0x417f },
    { type: 'ADVANCE', fd, frames: Number(period) },
    { type: 'ADVANCE', fd, frames: Number(period / 2n) },
    { type: 'DEVICE_XRUN', fd },
  ];
  return events;
}

/** Events a path may take from a state: every file's, and the card-wide ones. */
export function pathEvents(ctx: PcmContext, caps: Partial<Record<StreamDir, HwCaps>>, geometry?: PathGeometry): Command[] {
  const out: Command[] = [];
  for (let fd = 0; fd < ctx.files; fd++) out.push(...fileEvents(ctx, fd, caps, geometry));
  out.push({ type: 'SUSPEND' }, { type: 'DISCONNECT' });
  return out;
}

// ---- random sequences ----

const PERIODS = [64, 256, 1024, 4096];
/** On a device that runs in real time: periods of 21 to 85 ms at 48 kHz (shorter ones would
 * interrupt faster than an emulated guest keeps up). */
export const REAL_TIME_PERIODS = [1024, 2048, 4096];

/** Random command sequences over realistic geometries, on `files` file slots. */
export function commandArbitrary(caps: Partial<Record<StreamDir, HwCaps>>, files: 1 | 2, realTime = false): fc.Arbitrary<Command> {
  const dirs = Object.keys(caps) as StreamDir[];
  const fd = fc.integer({ min: 0, max: files - 1 });
  const frames = fc.oneof(fc.constantFrom(0, 1, 63, 64, 256, 1000, 1024, 4096, 8192), fc.integer({ min: 0, max: realTime ? 8192 : 20000 }));
  const big = fc.oneof(
    fc.bigInt({ min: 0n, max: 20000n }),
    fc.constantFrom(0n, 1n, 1n << 30n, 1n << 62n, (1n << 62n) + 1n, (1n << 64n) - 1n),
  );
  const anyCaps = caps[dirs[0]!]!;
  const hwParams = fc.record({
    access: fc.constantFrom<Access>(...accessModes(anyCaps), 'MMAP_NONINTERLEAVED'),
    format: fc.constantFrom<Format>(...anyCaps.formats, 'S24_3LE'),
    channels: fc.integer({ min: 0, max: anyCaps.channels.max + 1 }),
    rate: realTime ? fc.constantFrom(44100, 48000, 4000) : fc.constantFrom(8000, 44100, 48000, 96000, 4000),
    period_size: realTime
      ? fc.oneof(fc.constantFrom(...REAL_TIME_PERIODS), fc.integer({ min: 1024, max: 8192 }), fc.constant(0))
      : fc.oneof(fc.constantFrom(...PERIODS), fc.integer({ min: 0, max: 1 << 16 })),
    periods: fc.integer({ min: 0, max: 8 }),
  });
  const swParams = fc.record({
    avail_min: fc.oneof(fc.constantFrom(0n, 1n, 64n, 256n, 1024n), big),
    start_threshold: fc.oneof(fc.constantFrom(1n, 256n, 1024n, 4096n, 1n << 62n), big),
    stop_threshold: fc.oneof(fc.constantFrom(256n, 1024n, 4096n, 1n << 62n), big),
    silence_threshold: fc.constantFrom(0n, 0n, 0n, 64n, 1024n),
    silence_size: fc.constantFrom(0n, 0n, 0n, 64n, 1n << 62n),
  });
  const simple = <T extends Command['type']>(weight: number, ...types: T[]) => ({
    weight,
    arbitrary: fc.record({ type: fc.constantFrom(...types), fd }) as unknown as fc.Arbitrary<Command>,
  });
  const area = fc.constantFrom('DATA', 'STATUS', 'CONTROL') as fc.Arbitrary<'DATA'>;
  // Weights: transfers and device progress dominate, so sequences spend their time in running
  // states; reconfiguration, suspend and unplug are rare, or every sequence would end in them.
  return fc.oneof(
    { weight: 30, arbitrary: fc.record({ type: fc.constantFrom('WRITEI', 'READI') as fc.Arbitrary<'WRITEI'>, fd, frames }) },
    { weight: 3, arbitrary: fc.record({ type: fc.constantFrom('WRITEN', 'READN') as fc.Arbitrary<'WRITEN'>, fd, frames }) },
    { weight: 3, arbitrary: fc.record({ type: fc.constantFrom('WRITE', 'READ') as fc.Arbitrary<'WRITE'>, fd, bytes: frames }) },
    { weight: 30, arbitrary: fc.record({ type: fc.constant('ADVANCE' as const), fd, frames }) },
    simple(8, 'START'),
    simple(4, 'PREPARE', 'DROP'),
    simple(4, 'DRAIN'),
    simple(3, 'RESET', 'RESUME', 'XRUN'),
    simple(6, 'HWSYNC', 'DELAY', 'POLL'),
    simple(2, 'UNLINK', 'PVERSION'),
    { weight: 5, arbitrary: fc.record({ type: fc.constant('PAUSE' as const), fd, push: fc.boolean() }) },
    { weight: 6, arbitrary: fc.record({ type: fc.constant('STATUS' as const), fd, ext: fc.boolean() }) },
    {
      weight: 5,
      arbitrary: fc.record({
        type: fc.constant('SYNC_PTR' as const), fd, flags: fc.integer({ min: 0, max: 7 }), appl_ptr: big, avail_min: big, compat32: fc.boolean(),
      }),
    },
    { weight: 5, arbitrary: fc.record({ type: fc.constantFrom('REWIND', 'FORWARD') as fc.Arbitrary<'REWIND'>, fd, frames: big }) },
    { weight: 3, arbitrary: fc.record({ type: fc.constant('SW_PARAMS' as const), fd, params: swParams }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('HW_PARAMS' as const), fd, params: hwParams }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('HW_REFINE' as const), fd, params: hwParams }) },
    simple(1, 'HW_FREE'),
    { weight: 1, arbitrary: fc.record({ type: fc.constant('OPEN' as const), fd, stream: fc.constantFrom(...dirs), nonblock: fc.boolean() }) },
    simple(1, 'CLOSE'),
    { weight: 2, arbitrary: fc.record({ type: fc.constant('LINK' as const), fd, other: fd }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('MMAP' as const), fd, area }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('MUNMAP' as const), fd, area }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('CONTROL_WRITE' as const), fd, appl_ptr: big }) },
    simple(1, 'DEVICE_XRUN'),
    { weight: 1, arbitrary: fc.constant({ type: 'SUSPEND' as const }) },
    { weight: 1, arbitrary: fc.constant({ type: 'DISCONNECT' as const }) },
  ) as fc.Arbitrary<Command>;
}
