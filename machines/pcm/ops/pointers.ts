// STATUS, DELAY, HWSYNC, SYNC_PTR, REWIND, FORWARD: reading and moving the pointers.
import { INFO } from '../../../spec/abi/params.ts';
import type { PcmState } from '../../../spec/abi/states.ts';
import type { RegionState } from '../context.ts';
import { ALL, type Edge, type EdgeOutcome, type OpSpec } from '../edges.ts';
import { dmaSync, hwsync, note, update } from '../kernel.ts';
import { syncPtrAppl } from '../premises.ts';
import {
  applBack, applForward, applyApplPtr, avail, boundary32, calcDelay, hwAvail, isRunning,
} from '../runtime.ts';
import { fail, IOCTL_GUARDS, ok } from './common.ts';

/** do_pcm_hwsync()'s refusals. */
const HWSYNC_REFUSALS: readonly Edge[] = [
  { in: ['XRUN'], errno: 'EPIPE', rules: ['pcm.hwsync.xrun'] },
  { in: ['SUSPENDED'], errno: 'ESTRPIPE', rules: ['pcm.hwsync.suspended'] },
  { in: ['OPEN', 'SETUP'], errno: 'EBADFD', rules: ['pcm.hwsync.bad-state'] },
  { in: ['DRAINING'], if: ['!isPlayback'], errno: 'EBADFD', rules: ['pcm.hwsync.bad-state'] },
];

/** The ends of an update of a running stream that reports its verdict as EPIPE. */
const RUNNING_ENDS: readonly EdgeOutcome[] = [{ to: 'RUNNING' }, { to: 'XRUN', errno: 'EPIPE', rules: ['ring.xrun.detect'] }];
const DRAINING_ENDS: readonly EdgeOutcome[] = [{ to: 'DRAINING' }, { to: 'SETUP', errno: 'EPIPE', rules: ['ring.drain.complete'] }];

/** Edges of a command that starts with do_pcm_hwsync() and may itself fail with `extra`.
 * `syncs`: the command makes its CPU sync whatever do_pcm_hwsync() returned (snd_pcm_delay():
 * DELAY, HWSYNC, SYNC_PTR with HWSYNC, sync.hwsync.cpu), so its refusals run the effect too. */
function afterHwsync(rules: Edge['rules'], extra: readonly EdgeOutcome[] = [], syncs = false): Edge[] {
  const withExtra = (ends: readonly EdgeOutcome[], to: RegionState | undefined) => [
    ...ends,
    ...extra.map((e) => ({ ...e, to })),
  ];
  return [
    ...(syncs ? HWSYNC_REFUSALS.map((e) => ({ ...e, run: true })) : HWSYNC_REFUSALS),
    { in: ['RUNNING'], run: true, rules, outcomes: withExtra(RUNNING_ENDS, 'RUNNING') },
    { in: ['DRAINING'], if: ['isPlayback'], run: true, rules, outcomes: withExtra(DRAINING_ENDS, 'DRAINING') },
    { in: ['PREPARED', 'PAUSED'], run: true, rules, outcomes: [{}, ...extra] },
  ];
}

export const STATUS: OpSpec<'STATUS'> = {
  type: 'STATUS',
  edges: [
    ...IOCTL_GUARDS,
    { in: ['OPEN'], run: true, rules: ['pcm.status.open'] },
    {
      in: ['RUNNING'], if: ['isPlayback'], run: true, rules: ['pcm.status.ok', 'ring.avail-max.track', 'ring.avail.playback', 'ring.update.hw-ptr'],
      outcomes: [{ to: 'RUNNING' }, { to: 'XRUN', rules: ['ring.update.state', 'ring.xrun.detect'] }],
    },
    {
      in: ['RUNNING'], if: ['!isPlayback'], run: true, rules: ['pcm.status.ok', 'ring.avail-max.track', 'ring.avail.capture', 'ring.update.hw-ptr'],
      outcomes: [{ to: 'RUNNING' }, { to: 'XRUN', rules: ['ring.update.state', 'ring.xrun.detect'] }],
    },
    {
      in: ['DRAINING'], if: ['isPlayback'], run: true, rules: ['pcm.status.ok', 'ring.avail-max.track', 'ring.avail.playback', 'ring.update.hw-ptr'],
      outcomes: [{ to: 'DRAINING' }, { to: 'SETUP', rules: ['ring.update.state', 'ring.drain.complete'] }],
    },
    { in: ['SETUP', 'PREPARED', 'XRUN', 'PAUSED', 'SUSPENDED'], if: ['isPlayback'], run: true, rules: ['pcm.status.ok', 'ring.avail-max.track', 'ring.avail.playback'] },
    { in: ['SETUP', 'PREPARED', 'XRUN', 'DRAINING', 'PAUSED', 'SUSPENDED'], if: ['!isPlayback'], run: true, rules: ['pcm.status.ok', 'ring.avail-max.track', 'ring.avail.capture'] },
  ],
  effect(ctx, i) {
    const s = ctx.streams[i]!;
    const state = s.state as PcmState;
    const zero = { appl_ptr: 0n, hw_ptr: 0n, delay: 0n, avail: 0n, avail_max: 0n };
    if (state === 'OPEN') return ok(ctx, { status: { state, suspended_state: s.suspendedState, ...zero } });
    if (isRunning(s)) update(ctx, i, false);
    note(ctx, s.dir === 'PLAYBACK' ? 'ring.avail.playback' : 'ring.avail.capture');
    const status = {
      state,
      suspended_state: s.suspendedState,
      appl_ptr: s.applPtr,
      hw_ptr: s.hwPtr,
      avail: avail(s),
      delay: isRunning(s) ? calcDelay(s) : 0n,
      avail_max: s.availMax,
    };
    s.availMax = 0n;
    ok(ctx, { status });
  },
};

export const DELAY: OpSpec<'DELAY'> = {
  type: 'DELAY',
  edges: [...IOCTL_GUARDS, ...afterHwsync(['pcm.delay.ok'], [], true)],
  effect(ctx, i) {
    const err = hwsync(ctx, i);
    dmaSync(ctx, i, 'CPU', 'delay'); // snd_pcm_delay(): whatever do_pcm_hwsync() returned
    if (err) return fail(ctx, err);
    ok(ctx, { value: calcDelay(ctx.streams[i]!) });
  },
};

export const HWSYNC: OpSpec<'HWSYNC'> = {
  type: 'HWSYNC',
  edges: [...IOCTL_GUARDS, ...afterHwsync(['pcm.hwsync.ok'], [], true)],
  effect(ctx, i) {
    const err = hwsync(ctx, i);
    dmaSync(ctx, i, 'CPU', 'hwsync');
    if (err) return fail(ctx, err);
    ok(ctx);
  },
};

const APPL_INVALID: EdgeOutcome = { errno: 'EINVAL', rules: ['pcm.sync-ptr.appl-invalid'] };

export const SYNC_PTR: OpSpec<'SYNC_PTR'> = {
  type: 'SYNC_PTR',
  edges: [
    ...IOCTL_GUARDS,
    ...afterHwsync(['pcm.sync-ptr.hwsync', 'pcm.sync-ptr.ok'], [APPL_INVALID], true).map((e) => ({
      ...e,
      if: ['hasHwsyncFlag', ...(e.if ?? [])] as Edge['if'],
    })),
    { in: ALL, if: ['!hasApplFlag', '!isApplPtrAcceptable'], errno: 'EINVAL', rules: ['pcm.sync-ptr.appl-invalid'] },
    { in: ALL, if: ['isCompat32'], run: true, rules: ['pcm.sync-ptr.ok', 'pcm.sync-ptr.compat32', 'ring.boundary.compat32'] },
    { in: ALL, run: true, rules: ['pcm.sync-ptr.ok'] },
  ],
  effect(ctx, i, ev) {
    const s = ctx.streams[i]!;
    if (ev.flags & 1) {
      const err = hwsync(ctx, i);
      dmaSync(ctx, i, 'CPU', 'sync-ptr-hwsync'); // snd_pcm_hwsync() is snd_pcm_delay()
      if (err) return fail(ctx, err);
    }
    if (!(ev.flags & 2) && !applyApplPtr(s, syncPtrAppl(ev), (s.info & INFO.NO_REWINDS) !== 0)) {
      return fail(ctx, 'EINVAL', 'pcm.appl-ptr.apply');
    }
    if (!(ev.flags & 2)) dmaSync(ctx, i, 'DEVICE', 'sync-ptr-appl');
    if (!(ev.flags & 4)) s.availMin = ev.compat32 ? BigInt.asUintN(32, ev.avail_min) : BigInt.asUintN(64, ev.avail_min);
    let hw = s.hwPtr;
    let appl = ev.flags & 2 ? s.applPtr : syncPtrAppl(ev);
    let availMin = s.availMin;
    if (ev.compat32) {
      note(ctx, 'pcm.sync-ptr.compat32', 'ring.boundary.compat32');
      const b = boundary32(s.hw?.bufferSize ?? 0n) || 0x7fffffffn;
      hw %= b;
      if (ev.flags & 2) appl %= b;
      appl = BigInt.asUintN(32, appl);
      availMin = BigInt.asUintN(32, availMin);
    }
    ok(ctx, {
      sync: { state: s.state as PcmState, suspended_state: s.suspendedState, hw_ptr: hw, appl_ptr: appl, avail_min: availMin },
    });
  },
};

export const REWIND: OpSpec<'REWIND'> = {
  type: 'REWIND',
  edges: [
    ...IOCTL_GUARDS,
    { in: ALL, if: ['isZeroFrames'], run: true, rules: ['pcm.rewind.zero'] },
    ...afterHwsync(['pcm.rewind.ok', 'ring.ptr.wrap']),
  ],
  effect(ctx, i, ev) {
    const frames = BigInt.asUintN(64, ev.frames);
    if (frames === 0n) return ok(ctx, { value: 0n });
    const err = hwsync(ctx, i);
    if (err) return fail(ctx, err);
    const s = ctx.streams[i]!;
    dmaSync(ctx, i, 'DEVICE', 'rewind'); // after any result ≥ 0
    const room = hwAvail(s);
    if (room <= 0n) return ok(ctx, { value: 0n });
    const n = frames > room ? room : frames;
    if (!applyApplPtr(s, applBack(s, n), (s.info & INFO.NO_REWINDS) !== 0)) {
      note(ctx, 'pcm.appl-ptr.apply');
      return ok(ctx, { value: 0n }); // rewind_appl_ptr() reports 0, not the error
    }
    ok(ctx, { value: n });
  },
};

export const FORWARD: OpSpec<'FORWARD'> = {
  type: 'FORWARD',
  edges: [
    ...IOCTL_GUARDS,
    { in: ALL, if: ['isZeroFrames'], run: true, rules: ['pcm.rewind.zero'] },
    ...afterHwsync(['pcm.forward.ok', 'ring.ptr.wrap'], [{ errno: 'EINVAL', rules: ['pcm.appl-ptr.apply'] }]),
  ],
  effect(ctx, i, ev) {
    const frames = BigInt.asUintN(64, ev.frames);
    if (frames === 0n) return ok(ctx, { value: 0n });
    const err = hwsync(ctx, i);
    if (err) return fail(ctx, err);
    const s = ctx.streams[i]!;
    const room = avail(s);
    if (room <= 0n) {
      dmaSync(ctx, i, 'DEVICE', 'forward');
      return ok(ctx, { value: 0n });
    }
    const n = frames > room ? room : frames;
    if (!applyApplPtr(s, applForward(s, n), (s.info & INFO.NO_REWINDS) !== 0)) return fail(ctx, 'EINVAL', 'pcm.appl-ptr.apply');
    dmaSync(ctx, i, 'DEVICE', 'forward');
    ok(ctx, { value: n });
  },
};

export const POINTER_OPS = [STATUS, DELAY, HWSYNC, SYNC_PTR, REWIND, FORWARD] as const;
