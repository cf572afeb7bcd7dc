// HW_REFINE, HW_PARAMS, HW_FREE, SW_PARAMS and the informational ioctls.
import { INFO, FORMATS } from '../../../spec/abi/params.ts';
import { PCM_VERSION } from '../../../spec/abi/ioctl.ts';
import type { HwConfig } from '../../../spec/device.ts';
import type { PcmContext } from '../context.ts';
import { ALL, except, type OpSpec } from '../edges.ts';
import { hwBytes, hwInfo, PREMISES } from '../premises.ts';
import { boundary64, isRunning } from '../runtime.ts';
import { releaseBuffer, settle } from '../kernel.ts';
import { mallocPages } from '../../buffer/allocator.ts';
import { fail, IOCTL_GUARDS, ok } from './common.ts';

const hwResult = (p: HwConfig) => ({ ...p, buffer_size: p.period_size * p.periods });

export const HW_REFINE: OpSpec<'HW_REFINE'> = {
  type: 'HW_REFINE',
  edges: [
    ...IOCTL_GUARDS,
    { in: ALL, if: ['!isAdmissible'], errno: 'EINVAL', rules: ['pcm.hw-refine.invalid'] },
    { in: ALL, if: ['isOverBufferBytesMax'], errno: 'EINVAL', rules: ['pcm.hw-refine.invalid', 'buffer.managed.over-prealloc'] },
    { in: ALL, run: true, rules: ['pcm.hw-refine.ok'] },
  ],
  effect(ctx, _i, ev) {
    ok(ctx, { hw: hwResult(ev.params) });
  },
};

/** snd_pcm_hw_params(): the runtime takes the configuration, defaults and the boundary. */
function install(ctx: PcmContext, i: number, p: HwConfig): void {
  const s = ctx.streams[i]!;
  const frameBytes = (FORMATS[p.format].bits / 8) * p.channels;
  const bufferSize = BigInt(p.period_size * p.periods);
  s.hw = {
    access: p.access,
    format: p.format,
    channels: p.channels,
    rate: p.rate,
    periodSize: BigInt(p.period_size),
    periods: BigInt(p.periods),
    bufferSize,
    frameBytes,
    dmaBytes: Number(bufferSize) * frameBytes,
  };
  // fixup_unreferenced_params(): the driver's info without the kernel-internal flags.
  s.info = (hwInfo(ctx, i) & ~(INFO.FIFO_IN_FRAMES | INFO.DRAIN_TRIGGER)) >>> 0;
  s.availMin = s.hw.periodSize;
  s.startThreshold = 1n;
  s.stopThreshold = bufferSize;
  s.silenceThreshold = 0n;
  s.silenceSize = 0n;
  s.boundary = boundary64(bufferSize);
  s.state = 'SETUP';
}

export const HW_PARAMS: OpSpec<'HW_PARAMS'> = {
  type: 'HW_PARAMS',
  edges: [
    ...IOCTL_GUARDS,
    // snd_pcm_hw_params() tests the mapping in OPEN too, but OPEN can hold none: a mapping needs a
    // setup, and leaving the setup takes HW_FREE or HW_PARAMS, which a mapping refuses.
    { in: ['SETUP', 'PREPARED'], if: ['isDataMapped'], errno: 'EBADFD', rules: ['pcm.hw-params.mmapped'] },
    { in: ['OPEN', 'SETUP', 'PREPARED'], if: ['!isAdmissible'], run: true, to: 'OPEN', errno: 'EINVAL', rules: ['pcm.hw-params.invalid', 'buffer.hw-params.error-path'] },
    {
      in: ['OPEN', 'SETUP', 'PREPARED'], if: ['isOverBufferBytesMax'], run: true, to: 'OPEN', errno: 'EINVAL',
      rules: ['pcm.hw-params.invalid', 'buffer.managed.over-prealloc', 'buffer.hw-params.error-path'],
    },
    {
      in: ['OPEN', 'SETUP', 'PREPARED'], if: ['!isAllocatable'], run: true, to: 'OPEN', errno: 'ENOMEM',
      rules: ['buffer.hw-params.enomem', 'buffer.hw-params.error-path'],
    },
    { in: ['OPEN', 'SETUP', 'PREPARED'], run: true, to: 'SETUP', rules: ['pcm.hw-params.ok', 'ring.boundary.64'] },
    { in: except('OPEN', 'SETUP', 'PREPARED'), errno: 'EBADFD', rules: ['pcm.hw-params.bad-state'] },
  ],
  effect(ctx, i, ev) {
    const s = ctx.streams[i]!;
    // The _error path: OPEN, the driver's hw_free, the runtime buffer released.
    const error = (errno: 'EINVAL' | 'ENOMEM') => {
      s.state = 'OPEN';
      releaseBuffer(ctx, i);
      fail(ctx, errno);
    };
    if (!PREMISES.isAdmissible(ctx, i, ev) || PREMISES.isOverBufferBytesMax(ctx, i, ev)) return error('EINVAL');
    // snd_pcm_lib_malloc_pages(): by the core before the driver's hw_params (managed), or by the
    // driver inside it (buffer.prealloc.legacy); the same outcome either way.
    const m = mallocPages(ctx.memory, s.dir, s.buf, hwBytes(ev.params));
    s.buf = m.buf;
    if (m.result === 'enomem') return error('ENOMEM');
    install(ctx, i, ev.params);
    ok(ctx, { hw: hwResult(ev.params) });
  },
};

export const HW_FREE: OpSpec<'HW_FREE'> = {
  type: 'HW_FREE',
  edges: [
    ...IOCTL_GUARDS,
    { in: ['SETUP', 'PREPARED'], if: ['isDataMapped'], errno: 'EBADFD', rules: ['pcm.hw-free.mmapped'] },
    { in: ['SETUP', 'PREPARED'], run: true, to: 'OPEN', rules: ['pcm.hw-free.ok', 'pcm.hw-free.leaves'] },
    { in: except('SETUP', 'PREPARED'), errno: 'EBADFD', rules: ['pcm.hw-free.bad-state'] },
  ],
  effect(ctx, i) {
    releaseBuffer(ctx, i); // do_hw_free(): the driver's hw_free, then the managed buffer
    ctx.streams[i]!.state = 'OPEN'; // everything else stays (pcm.hw-free.leaves)
    ok(ctx);
  },
};

export const SW_PARAMS: OpSpec<'SW_PARAMS'> = {
  type: 'SW_PARAMS',
  edges: [
    ...IOCTL_GUARDS,
    { in: ['OPEN'], errno: 'EBADFD', rules: ['pcm.sw-params.open'] },
    { in: ALL, if: ['!isSwParamsValid'], errno: 'EINVAL', rules: ['pcm.sw-params.invalid'] },
    {
      in: ['RUNNING'], run: true, rules: ['pcm.sw-params.running'],
      outcomes: [{ to: 'RUNNING' }, { to: 'XRUN', errno: 'EPIPE', rules: ['ring.xrun.detect'] }],
    },
    {
      in: ['DRAINING'], if: ['isPlayback'], run: true, rules: ['pcm.sw-params.running'],
      outcomes: [{ to: 'DRAINING' }, { to: 'SETUP', errno: 'EPIPE', rules: ['ring.drain.complete'] }],
    },
    { in: except('OPEN', 'RUNNING'), run: true, rules: ['pcm.sw-params.ok'] },
  ],
  effect(ctx, i, ev) {
    const s = ctx.streams[i]!;
    const p = ev.params;
    s.availMin = p.avail_min;
    s.startThreshold = p.start_threshold;
    s.stopThreshold = p.stop_threshold;
    s.silenceThreshold = p.silence_threshold;
    s.silenceSize = p.silence_size;
    if (isRunning(s)) {
      const err = settle(ctx, i); // snd_pcm_update_state() on the stored hw_ptr
      if (err) return fail(ctx, err);
    }
    ok(ctx, { value: s.boundary });
  },
};

export const PVERSION: OpSpec<'PVERSION'> = {
  type: 'PVERSION',
  edges: [...IOCTL_GUARDS, { in: ALL, run: true, rules: ['pcm.pversion.ok'] }],
  effect(ctx) {
    ok(ctx, { value: BigInt(PCM_VERSION[ctx.kernel]) });
  },
};

export const INFO_OP: OpSpec<'INFO'> = {
  type: 'INFO',
  edges: [...IOCTL_GUARDS, { in: ALL, run: true, rules: ['pcm.info.ok'] }],
  effect(ctx) {
    ok(ctx);
  },
};

export const USER_PVERSION: OpSpec<'USER_PVERSION'> = {
  type: 'USER_PVERSION',
  edges: [...IOCTL_GUARDS, { in: ALL, run: true, rules: ['pcm.user-pversion.ok'] }],
  effect(ctx, i, ev) {
    ctx.streams[i]!.userPversion = ev.version;
    ok(ctx);
  },
};

export const TTSTAMP: OpSpec<'TTSTAMP'> = {
  type: 'TTSTAMP',
  edges: [
    ...IOCTL_GUARDS,
    { in: ALL, if: ['!isTstampTypeValid'], errno: 'EINVAL', rules: ['pcm.ttstamp.invalid'] },
    { in: ALL, run: true, rules: ['pcm.ttstamp.ok'] },
  ],
  effect(ctx) {
    ok(ctx);
  },
};

export const CHANNEL_INFO: OpSpec<'CHANNEL_INFO'> = {
  type: 'CHANNEL_INFO',
  edges: [
    ...IOCTL_GUARDS,
    { in: ['OPEN'], errno: 'EBADFD', rules: ['pcm.channel-info.open'] },
    { in: ALL, if: ['!isChannelValid'], errno: 'EINVAL', rules: ['pcm.channel-info.invalid'] },
    { in: ALL, run: true, rules: ['pcm.channel-info.ok'] },
  ],
  effect(ctx) {
    ok(ctx);
  },
};

export const RAW_IOCTL: OpSpec<'RAW_IOCTL'> = {
  type: 'RAW_IOCTL',
  edges: [...IOCTL_GUARDS, { in: ALL, errno: 'ENOTTY', rules: ['pcm.ioctl.unknown'] }],
};

export const PARAM_OPS = [RAW_IOCTL, HW_REFINE, HW_PARAMS, HW_FREE, SW_PARAMS, PVERSION, INFO_OP, USER_PVERSION, TTSTAMP, CHANNEL_INFO] as const;
