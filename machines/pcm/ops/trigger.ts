// PREPARE, START, DROP, DRAIN, PAUSE, RESET, RESUME, XRUN: the trigger-type ioctls.
// `groupChecks` are the pre_action callbacks the kernel runs over every member of a linked group.
import { except, PRE_PAUSE, PRE_PREPARE, PRE_RESET, PRE_RESUME, PRE_START, type Edge, type OpSpec } from '../edges.ts';
import {
  drainInitGroup, drainWait, pauseGroup, prepareGroup, recoverForPrepare, resetGroup, resumeGroup, startGroup,
  stopGroup, xrun,
} from '../kernel.ts';
import { fail, IOCTL_GUARDS, ok } from './common.ts';

const refusedBy = (ctx: Parameters<typeof fail>[0], r: Edge | null): boolean => {
  if (!r) return false;
  fail(ctx, r.errno!, r.rules[0]);
  return true;
};

export const PREPARE: OpSpec<'PREPARE'> = {
  type: 'PREPARE',
  groupChecks: PRE_PREPARE,
  groupChecksIn: except('PAUSED', 'SUSPENDED'),
  edges: [
    ...IOCTL_GUARDS,
    ...PRE_PREPARE,
    { in: ['SETUP', 'PREPARED', 'XRUN', 'DRAINING'], run: true, to: 'PREPARED', rules: ['pcm.prepare.ok'] },
    { in: ['PAUSED', 'SUSPENDED'], run: true, to: 'PREPARED', rules: ['pcm.prepare.recover', 'pcm.prepare.ok'] },
    { in: ['PAUSED', 'SUSPENDED'], run: true, group: true, rules: ['pcm.prepare.recover', 'pcm.group.all-or-nothing'] },
  ],
  effect(ctx, i) {
    recoverForPrepare(ctx, i);
    if (refusedBy(ctx, prepareGroup(ctx, i))) return;
    ok(ctx);
  },
};

export const START: OpSpec<'START'> = {
  type: 'START',
  groupChecks: PRE_START,
  edges: [...IOCTL_GUARDS, ...PRE_START, { in: ['PREPARED'], run: true, to: 'RUNNING', rules: ['pcm.start.ok'] }],
  effect(ctx, i) {
    if (refusedBy(ctx, startGroup(ctx, i))) return;
    ok(ctx);
  },
};

export const DROP: OpSpec<'DROP'> = {
  type: 'DROP',
  edges: [
    ...IOCTL_GUARDS,
    { in: ['OPEN'], errno: 'EBADFD', rules: ['pcm.drop.open'] },
    { in: except('OPEN'), run: true, to: 'SETUP', rules: ['pcm.drop.ok'] },
    { in: except('OPEN'), run: true, group: true, rules: ['pcm.drop.group-blocked'] },
  ],
  effect(ctx, i) {
    if (ctx.streams[i]!.state === 'PAUSED') pauseGroup(ctx, i, false);
    stopGroup(ctx, i, 'SETUP'); // its refusal is ignored (pcm.drop.group-blocked)
    ok(ctx);
  },
};

const DRAINS_PLAYBACK = ['PREPARED', 'RUNNING', 'PAUSED', 'DRAINING'] as const;

export const DRAIN: OpSpec<'DRAIN'> = {
  type: 'DRAIN',
  edges: [
    ...IOCTL_GUARDS,
    { in: ['OPEN'], errno: 'EBADFD', rules: ['pcm.drain.open'] },
    { in: ['SUSPENDED'], errno: 'EBADFD', rules: ['pcm.drain.suspended'] },
    // playback
    { in: ['PREPARED'], if: ['isPlayback', 'playbackEmpty', 'isNonblockFile'], run: true, to: 'SETUP', errno: 'EAGAIN', rules: ['pcm.drain.playback', 'pcm.drain.nonblock'] },
    { in: ['PREPARED'], if: ['isPlayback', 'playbackEmpty'], run: true, to: 'SETUP', rules: ['pcm.drain.playback', 'pcm.drain.wait'] },
    { in: DRAINS_PLAYBACK, if: ['isPlayback', 'isNonblockFile'], run: true, to: 'DRAINING', errno: 'EAGAIN', rules: ['pcm.drain.playback', 'pcm.drain.nonblock'] },
    { in: DRAINS_PLAYBACK, if: ['isPlayback'], run: true, to: 'SETUP', rules: ['pcm.drain.playback', 'pcm.drain.wait', 'ring.drain.complete'] },
    { in: ['XRUN', 'SETUP'], if: ['isPlayback', 'isNonblockFile'], run: true, to: 'SETUP', errno: 'EAGAIN', rules: ['pcm.drain.playback', 'pcm.drain.nonblock'] },
    { in: ['XRUN', 'SETUP'], if: ['isPlayback'], run: true, to: 'SETUP', rules: ['pcm.drain.playback', 'pcm.drain.wait'] },
    // capture
    { in: ['RUNNING', 'PAUSED'], if: ['!isPlayback', 'captureHasFrames', 'isNonblockFile'], run: true, to: 'DRAINING', errno: 'EAGAIN', rules: ['pcm.drain.capture', 'pcm.drain.nonblock'] },
    { in: ['RUNNING', 'PAUSED'], if: ['!isPlayback', 'captureHasFrames'], run: true, to: 'DRAINING', rules: ['pcm.drain.capture', 'pcm.drain.wait'] },
    { in: ['RUNNING', 'PAUSED'], if: ['!isPlayback', 'isNonblockFile'], run: true, to: 'SETUP', errno: 'EAGAIN', rules: ['pcm.drain.capture', 'pcm.drain.nonblock'] },
    { in: ['RUNNING', 'PAUSED'], if: ['!isPlayback'], run: true, to: 'SETUP', rules: ['pcm.drain.capture', 'pcm.drain.wait'] },
    { in: ['PREPARED', 'XRUN', 'SETUP', 'DRAINING'], if: ['!isPlayback', 'isNonblockFile'], run: true, errno: 'EAGAIN', rules: ['pcm.drain.capture', 'pcm.drain.nonblock'] },
    { in: ['PREPARED', 'XRUN', 'SETUP', 'DRAINING'], if: ['!isPlayback'], run: true, rules: ['pcm.drain.capture', 'pcm.drain.wait'] },
    { in: except('OPEN'), run: true, group: true, rules: ['pcm.group.all-or-nothing', 'pcm.group.drain-alone'] },
  ],
  effect(ctx, i) {
    const nonblock = ctx.streams[i]!.fileNonblock;
    if (ctx.streams[i]!.state === 'PAUSED') pauseGroup(ctx, i, false);
    if (refusedBy(ctx, drainInitGroup(ctx, i))) return;
    if (nonblock) return fail(ctx, 'EAGAIN');
    drainWait(ctx, i);
    ok(ctx);
  },
};

export const PAUSE: OpSpec<'PAUSE'> = {
  type: 'PAUSE',
  groupChecks: PRE_PAUSE,
  edges: [
    ...IOCTL_GUARDS,
    ...PRE_PAUSE,
    { in: ['RUNNING'], if: ['isPush'], run: true, to: 'PAUSED', rules: ['pcm.pause.push'] },
    { in: ['PAUSED'], if: ['!isPush'], run: true, to: 'RUNNING', rules: ['pcm.pause.release'] },
  ],
  effect(ctx, i, ev) {
    if (refusedBy(ctx, pauseGroup(ctx, i, ev.push))) return;
    ok(ctx);
  },
};

export const RESET: OpSpec<'RESET'> = {
  type: 'RESET',
  groupChecks: PRE_RESET,
  edges: [
    ...IOCTL_GUARDS,
    ...PRE_RESET,
    {
      in: ['RUNNING'], run: true, rules: ['pcm.reset.ok'],
      outcomes: [{ to: 'RUNNING' }, { to: 'XRUN', rules: ['ring.xrun.detect'] }],
    },
    { in: ['PREPARED', 'PAUSED', 'SUSPENDED'], run: true, rules: ['pcm.reset.ok'] },
  ],
  effect(ctx, i) {
    if (refusedBy(ctx, resetGroup(ctx, i))) return;
    ok(ctx);
  },
};

export const RESUME: OpSpec<'RESUME'> = {
  type: 'RESUME',
  groupChecks: PRE_RESUME,
  edges: [
    ...IOCTL_GUARDS,
    ...PRE_RESUME,
    {
      in: ['SUSPENDED'], run: true, rules: ['pcm.resume.ok', 'pcm.state.suspended-state'],
      outcomes: (['PREPARED', 'RUNNING', 'XRUN', 'DRAINING', 'PAUSED'] as const).map((to) => ({ to })),
    },
  ],
  effect(ctx, i) {
    if (refusedBy(ctx, resumeGroup(ctx, i))) return;
    ok(ctx);
  },
};

export const XRUN: OpSpec<'XRUN'> = {
  type: 'XRUN',
  edges: [
    ...IOCTL_GUARDS,
    { in: ['XRUN'], run: true, rules: ['pcm.xrun.already'] },
    { in: ['RUNNING'], run: true, to: 'XRUN', rules: ['pcm.xrun.running', 'ring.xrun.detect'] },
    { in: ['RUNNING'], run: true, group: true, rules: ['pcm.xrun.running', 'pcm.group.all-or-nothing'] },
    { in: except('XRUN', 'RUNNING'), errno: 'EBADFD', rules: ['pcm.xrun.bad-state'] },
  ],
  effect(ctx, i) {
    if (ctx.streams[i]!.state === 'RUNNING') xrun(ctx, i);
    ok(ctx);
  },
};

export const TRIGGER_OPS = [PREPARE, START, DROP, DRAIN, PAUSE, RESET, RESUME, XRUN] as const;
