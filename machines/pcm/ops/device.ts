// The device side: ADVANCE (the hardware runs), DEVICE_XRUN, SUSPEND, DISCONNECT.
import type { RuleId } from '../../../spec/rules.generated.ts';
import { ALL, except, type Edge, type OpSpec } from '../edges.ts';
import { disconnectAll, ModelError, note, runDevice, suspendAll, update, xrun } from '../kernel.ts';
import { isRunning } from '../runtime.ts';
import { NOT_OPEN, ok } from './common.ts';

/** The edges of a device-side op that moves the hardware, with `first` rules on each. */
const moving = (first: RuleId[]): Edge[] => [
  {
    in: ['RUNNING'], if: ['hasSilence'], run: true, rules: [...first, 'ring.update.hw-ptr', 'ring.silence.fill'],
    outcomes: [{ to: 'RUNNING' }, { to: 'XRUN', rules: ['ring.update.state', 'ring.xrun.detect'] }],
  },
  {
    in: ['DRAINING'], if: ['hasSilence'], run: true, rules: [...first, 'ring.update.hw-ptr', 'ring.silence.fill'],
    outcomes: [{ to: 'DRAINING' }, { to: 'SETUP', rules: ['ring.update.state', 'ring.drain.complete'] }],
  },
  {
    in: ['RUNNING'], run: true, rules: [...first, 'ring.update.hw-ptr'],
    outcomes: [{ to: 'RUNNING' }, { to: 'XRUN', rules: ['ring.update.state', 'ring.xrun.detect'] }],
  },
  {
    in: ['DRAINING'], if: ['isPlayback'], run: true, rules: [...first, 'ring.update.hw-ptr'],
    outcomes: [{ to: 'DRAINING' }, { to: 'SETUP', rules: ['ring.update.state', 'ring.drain.complete'] }],
  },
  { in: ['RUNNING', 'DRAINING'], run: true, group: true, rules: [...first, 'pcm.group.all-or-nothing'] },
];

/** Forward distance from `from` to `to` on the pointer circle of `boundary` frames. */
const ahead = (from: bigint, to: bigint, boundary: bigint) => (to >= from ? to - from : to + boundary - from);

export const ADVANCE: OpSpec<'ADVANCE'> = {
  type: 'ADVANCE',
  edges: [
    ...NOT_OPEN,
    ...moving(['device.advance.running']),
    { in: except('RUNNING'), run: true, rules: ['device.advance.stopped'] },
  ],
  effect(ctx, i, ev) {
    ok(ctx, { value: runDevice(ctx, i, BigInt(Math.max(0, ev.frames))) });
  },
};

export const DEVICE_XRUN: OpSpec<'DEVICE_XRUN'> = {
  type: 'DEVICE_XRUN',
  edges: [
    ...NOT_OPEN,
    { in: ['RUNNING'], run: true, to: 'XRUN', rules: ['device.xrun.driver', 'ring.xrun.detect'] },
    { in: ['DRAINING'], if: ['isPlayback'], run: true, to: 'XRUN', rules: ['device.xrun.driver', 'ring.xrun.detect'] },
    { in: ['RUNNING', 'DRAINING'], run: true, group: true, rules: ['device.xrun.driver', 'pcm.group.all-or-nothing'] },
    { in: except('RUNNING'), run: true, rules: ['device.xrun.driver'] },
  ],
  effect(ctx, i) {
    if (isRunning(ctx.streams[i]!)) xrun(ctx, i);
    ok(ctx);
  },
};

const SUSPENDABLE = ['PREPARED', 'RUNNING', 'XRUN', 'DRAINING', 'PAUSED'] as const;

export const SUSPEND: OpSpec<'SUSPEND'> = {
  type: 'SUSPEND',
  cardWide: true,
  edges: [
    { in: SUSPENDABLE, run: true, to: 'SUSPENDED', rules: ['device.suspend.ok', 'pcm.state.suspended-state'] },
    { in: SUSPENDABLE, run: true, group: true, rules: ['device.suspend.group-blocked'] },
    { in: ['OPEN', 'SETUP', 'SUSPENDED', 'DISCONNECTED', 'CLOSED'], run: true, rules: ['device.suspend.ok'] },
  ],
  effect(ctx) {
    suspendAll(ctx);
    ok(ctx);
  },
};

export const DISCONNECT: OpSpec<'DISCONNECT'> = {
  type: 'DISCONNECT',
  cardWide: true,
  edges: [
    { in: ALL, run: true, to: 'DISCONNECTED', rules: ['device.disconnect.ok'] },
    { in: ['CLOSED'], run: true, rules: ['device.disconnect.ok'] },
  ],
  effect(ctx) {
    disconnectAll(ctx);
    ok(ctx);
  },
};

/**
 * device.advance.observed — what a real device was seen to do. `irq`: its interrupts ran up to
 * `hw_ptr` (one at each period boundary on the way, snd_pcm_period_elapsed() with the last one at
 * the observed position, which a clock-driven driver puts past the boundary); `late`: one
 * interrupt, late, at the observed position (the boundaries before it had none); `pointer`: the DMA
 * position the next hwsync reads; `wait`: the waits of the command just taken ended with hw_ptr
 * there — device time the harness cannot see, so the model's own period-by-period wait is
 * replaced by the observed end.
 */
export const MOVED: OpSpec<'MOVED'> = {
  type: 'MOVED',
  edges: [
    ...NOT_OPEN,
    ...moving(['device.advance.observed']),
    { in: except('RUNNING'), run: true, rules: ['device.advance.observed'] },
  ],
  effect(ctx, i, ev) {
    const s = ctx.streams[i]!;
    const target = ev.hw_ptr;
    if (!s.hw || s.boundary === 0n) {
      if (target !== s.hwPtr) throw new ModelError(`stream ${i} has no buffer, yet its hw_ptr was seen at ${target}`);
      return ok(ctx);
    }
    const { bufferSize: buf, periodSize: period } = s.hw;
    if (target >= s.boundary) throw new ModelError(`observed hw_ptr ${target} is past the boundary ${s.boundary}`);
    if (ev.how === 'wait') {
      s.hwPtr = target;
      s.pos = target % buf;
      s.hwPtrBase = target - s.pos;
      s.hwPtrInterrupt = target - (target % period);
      return ok(ctx);
    }
    if (!isRunning(s)) {
      if (target !== s.hwPtr) throw new ModelError(`stream ${i} is ${s.state}, yet its hw_ptr was seen to move from ${s.hwPtr} to ${target}`);
      return ok(ctx);
    }
    const distance = ahead(s.hwPtr, target, s.boundary);
    if (ev.how === 'pointer') {
      if (distance >= buf) throw new ModelError(`a hwsync cannot see hw_ptr ${target}: ${distance} frames past ${s.hwPtr}, a buffer or more`);
      s.pos = target % buf;
      return ok(ctx);
    }
    if (ev.how === 'late') {
      // One snd_pcm_period_elapsed() that reads the position once: the boundaries it passed had
      // no interrupt of their own (a timer that fired late, a vCPU that was not running).
      if (distance >= buf) throw new ModelError(`one interrupt cannot see hw_ptr ${target}: ${distance} frames past ${s.hwPtr}, a buffer or more`);
      if (distance === 0n) return ok(ctx);
      s.pos = target % buf;
      note(ctx, 'device.advance.running');
      update(ctx, i, true);
      return ok(ctx);
    }
    if (distance === 0n) return ok(ctx);
    // The pointer circle is long (a boundary of 2^62 frames or so): a move of more than half of it
    // is the hardware going back.
    if (distance > s.boundary / 2n) throw new ModelError(`hw_ptr of stream ${i} was seen to go back from ${s.hwPtr} to ${target}`);
    // The interrupts before the last one, at the period boundaries on the way.
    const lastBoundary = distance - (target % period);
    if (lastBoundary > 1n) runDevice(ctx, i, lastBoundary - 1n);
    if (isRunning(s)) {
      s.pos = target % buf;
      note(ctx, 'device.advance.running');
      update(ctx, i, true); // snd_pcm_period_elapsed() at the observed position
    }
    ok(ctx);
  },
};

export const DEVICE_OPS = [ADVANCE, DEVICE_XRUN, SUSPEND, DISCONNECT, MOVED] as const;
