// The device side: ADVANCE (the hardware runs), DEVICE_XRUN, SUSPEND, DISCONNECT.
import { ALL, except, type OpSpec } from '../edges.ts';
import { disconnectAll, runDevice, suspendAll, xrun } from '../kernel.ts';
import { isRunning } from '../runtime.ts';
import { NOT_OPEN, ok } from './common.ts';

export const ADVANCE: OpSpec<'ADVANCE'> = {
  type: 'ADVANCE',
  edges: [
    ...NOT_OPEN,
    {
      in: ['RUNNING'], if: ['hasSilence'], run: true, rules: ['device.advance.running', 'ring.update.hw-ptr', 'ring.silence.fill'],
      outcomes: [{ to: 'RUNNING' }, { to: 'XRUN', rules: ['ring.update.state', 'ring.xrun.detect'] }],
    },
    {
      in: ['DRAINING'], if: ['hasSilence'], run: true, rules: ['device.advance.running', 'ring.update.hw-ptr', 'ring.silence.fill'],
      outcomes: [{ to: 'DRAINING' }, { to: 'SETUP', rules: ['ring.update.state', 'ring.drain.complete'] }],
    },
    {
      in: ['RUNNING'], run: true, rules: ['device.advance.running', 'ring.update.hw-ptr'],
      outcomes: [{ to: 'RUNNING' }, { to: 'XRUN', rules: ['ring.update.state', 'ring.xrun.detect'] }],
    },
    {
      in: ['DRAINING'], if: ['isPlayback'], run: true, rules: ['device.advance.running', 'ring.update.hw-ptr'],
      outcomes: [{ to: 'DRAINING' }, { to: 'SETUP', rules: ['ring.update.state', 'ring.drain.complete'] }],
    },
    { in: ['RUNNING', 'DRAINING'], run: true, group: true, rules: ['device.advance.running', 'pcm.group.all-or-nothing'] },
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

export const DEVICE_OPS = [ADVANCE, DEVICE_XRUN, SUSPEND, DISCONNECT] as const;
