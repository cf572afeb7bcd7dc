// Trigger-type actions: struct action_ops and snd_pcm_action() of sound/core/pcm_native.c.
// Every action runs pre on all members of the group in list order (most recently linked first),
// then do, then post; the first failing pre aborts with nothing changed (pcm.group.all-or-nothing).
// The virtual device needs no trigger: it runs exactly while snd_pcm_running() holds, so the
// driver's START/STOP/PAUSE/SUSPEND/RESUME triggers are implied by the state changes below.
import type { PcmState } from '../../spec/abi/states.ts';
import { INFO } from '../../spec/abi/params.ts';
import { isLinked, isRunning, setState, type Substream } from './card.ts';
import { kerr, type KErr } from './errors.ts';
import { updateHwPtr } from './hwptr.ts';
import { captureAvail, playbackAvail } from './runtime.ts';
import { playbackSilence } from './silence.ts';
import { ULONG_MAX } from './u64.ts';
import { fault } from './card.ts';

interface ActionOps<A> {
  pre(s: Substream, arg: A): KErr | null;
  do(s: Substream, arg: A): KErr | null;
  post(s: Substream, arg: A): void;
}

/** snd_pcm_action_group(). A member other than the caller that refuses answers for the group. */
function actionGroup<A>(ops: ActionOps<A>, caller: Substream, arg: A): KErr | null {
  const members = caller.group.list.slice();
  if (fault(caller, 'group-partial')) {
    const refusals = members.map((s) => ops.pre(s, arg));
    members.forEach((s, k) => !refusals[k] && (ops.do(s, arg), ops.post(s, arg)));
    const e = refusals.find((r) => r);
    return e ?? null;
  }
  for (const s of members) {
    const e = ops.pre(s, arg);
    if (e) return s === caller ? e : kerr(e.errno, 'pcm.group.all-or-nothing');
  }
  // No do_action of the virtual device fails, so undo_action never runs.
  for (const s of members) {
    const e = ops.do(s, arg);
    if (e) return e;
  }
  for (const s of members) ops.post(s, arg);
  return null;
}

/** snd_pcm_action_single(). */
export function actionSingle<A>(ops: ActionOps<A>, s: Substream, arg: A): KErr | null {
  const e = ops.pre(s, arg) ?? ops.do(s, arg);
  if (e) return e;
  ops.post(s, arg);
  return null;
}

/** snd_pcm_action() / snd_pcm_action_nonatomic(). */
const action = <A>(ops: ActionOps<A>, s: Substream, arg: A): KErr | null =>
  isLinked(s) ? actionGroup(ops, s, arg) : actionSingle(ops, s, arg);

/** snd_pcm_playback_data(). */
function playbackData(s: Substream): boolean {
  const rt = s.rt;
  if (rt.stopThreshold >= rt.boundary) return true;
  return playbackAvail(rt) < rt.bs;
}

/** The driver's prepare: the DMA position goes back to 0; the capture end of the cable empties. */
function driverPrepare(s: Substream): void {
  s.rt.pos = 0;
  if (!s.playback) s.card.cable?.flush();
}

/** snd_pcm_post_start(), also used by the drain of a PREPARED stream. */
function postStart(s: Substream, state: PcmState): void {
  setState(s, state);
  if (s.playback && s.rt.silenceSize > 0n) playbackSilence(s, ULONG_MAX);
}

/** snd_pcm_post_stop(). */
function postStop(s: Substream, state: PcmState): void {
  if (s.rt.state !== state) setState(s, state);
}

const START: ActionOps<PcmState> = {
  /** pcm.start.not-prepared, pcm.start.no-data — snd_pcm_pre_start(). */
  pre(s) {
    if (s.rt.state !== 'PREPARED') return kerr('EBADFD', 'pcm.start.not-prepared');
    if (s.playback && !playbackData(s) && !fault(s, 'start-without-data')) return kerr('EPIPE', 'pcm.start.no-data');
    return null;
  },
  do: () => null,
  post: postStart,
};

const STOP: ActionOps<PcmState> = {
  /** snd_pcm_pre_stop(): an OPEN member blocks the stop of its whole group. */
  pre: (s) => (s.rt.state === 'OPEN' ? kerr('EBADFD', 'pcm.drop.group-blocked') : null),
  do: () => null,
  post: postStop,
};

const PAUSE: ActionOps<boolean> = {
  /** pcm.pause.no-support, pcm.pause.bad-state — snd_pcm_pre_pause(). */
  pre(s, push) {
    const rt = s.rt;
    if (fault(s, 'pause-state-first') && (push ? rt.state !== 'RUNNING' : rt.state !== 'PAUSED')) return kerr('EBADFD', 'pcm.pause.bad-state');
    if (!(rt.info & INFO.PAUSE)) return kerr('ENOSYS', 'pcm.pause.no-support');
    if (push ? rt.state !== 'RUNNING' : rt.state !== 'PAUSED') return kerr('EBADFD', 'pcm.pause.bad-state');
    return null;
  },
  /** snd_pcm_do_pause(): Linux 6.1 first updates hw_ptr on a push (pcm.pause.push, 6.1). */
  do(s, push) {
    if (push && s.card.v61) updateHwPtr(s);
    return null;
  },
  post: (s, push) => setState(s, push ? 'PAUSED' : 'RUNNING'),
};

const SUSPEND: ActionOps<null> = {
  /** snd_pcm_pre_suspend(): EBUSY makes snd_pcm_suspend_all() skip the stream (or its group). */
  pre(s) {
    const st = s.rt.state;
    if (st === 'SUSPENDED' || st === 'OPEN' || st === 'SETUP' || st === 'DISCONNECTED') {
      return kerr('EBUSY', 'device.suspend.group-blocked');
    }
    return null;
  },
  do: () => null,
  post(s) {
    s.rt.suspendedState = s.rt.state;
    setState(s, 'SUSPENDED');
  },
};

const RESUME: ActionOps<null> = {
  /** pcm.resume.not-suspended, pcm.resume.no-support — snd_pcm_pre_resume(). */
  pre(s) {
    if (fault(s, 'resume-support-first') && !(s.rt.info & INFO.RESUME)) return kerr('ENOSYS', 'pcm.resume.no-support');
    if (s.rt.state !== 'SUSPENDED') return kerr('EBADFD', 'pcm.resume.not-suspended');
    if (!(s.rt.info & INFO.RESUME)) return kerr('ENOSYS', 'pcm.resume.no-support');
    return null;
  },
  do: () => null,
  post: (s) => setState(s, s.rt.suspendedState),
};

/** snd_pcm_do_reset() with snd_pcm_lib_ioctl_reset(). */
function doReset(s: Substream): null {
  const rt = s.rt;
  if (isRunning(s) && updateHwPtr(s) === null) rt.hwPtr = rt.hwPtr % rt.bs;
  else rt.hwPtr = 0n;
  rt.hwPtrBase = 0n;
  rt.hwPtrInterrupt = rt.hwPtr - (rt.hwPtr % rt.ps);
  rt.silenceStart = rt.hwPtr;
  rt.silenceFilled = 0n;
  return null;
}

const RESET: ActionOps<null> = {
  /** pcm.reset.bad-state — snd_pcm_pre_reset(). */
  pre(s) {
    const st = s.rt.state;
    if (st === 'RUNNING' || st === 'PREPARED' || st === 'PAUSED' || st === 'SUSPENDED') return null;
    return kerr('EBADFD', 'pcm.reset.bad-state');
  },
  do: doReset,
  post(s) {
    if (!fault(s, 'prepare-keeps-appl')) s.rt.applPtr = s.rt.hwPtr;
    if (s.playback && s.rt.silenceSize > 0n) playbackSilence(s, ULONG_MAX);
  },
};

/** The argument is the caller's O_NONBLOCK, which becomes every member's f_flags. */
const PREPARE: ActionOps<boolean> = {
  /** pcm.prepare.open, pcm.prepare.busy — snd_pcm_pre_prepare() (which sets f_flags as it goes). */
  pre(s, nonblock) {
    const st = s.rt.state;
    if (st === 'OPEN' || st === 'DISCONNECTED') return kerr('EBADFD', 'pcm.prepare.open');
    if (isRunning(s)) return kerr('EBUSY', 'pcm.prepare.busy');
    s.fNonblock = nonblock;
    return null;
  },
  do(s) {
    driverPrepare(s);
    return doReset(s);
  },
  /** snd_pcm_post_prepare(); snd_pcm_set_state() leaves DISCONNECTED alone. */
  post(s) {
    s.rt.applPtr = s.rt.hwPtr;
    if (s.rt.state !== 'DISCONNECTED') setState(s, 'PREPARED');
  },
};

const DRAIN_INIT: ActionOps<null> = {
  /** pcm.drain.suspended — snd_pcm_pre_drain_init(). */
  pre(s) {
    const st = s.rt.state;
    if (st === 'OPEN' || st === 'DISCONNECTED' || st === 'SUSPENDED') return kerr('EBADFD', 'pcm.drain.suspended');
    return null;
  },
  /** pcm.drain.playback, pcm.drain.capture — snd_pcm_do_drain_init(). */
  do(s) {
    const rt = s.rt;
    if (s.playback) {
      switch (rt.state) {
        case 'PREPARED':
          if (playbackAvail(rt) < rt.bs) postStart(s, 'DRAINING');
          else setState(s, 'SETUP');
          break;
        case 'RUNNING':
          setState(s, 'DRAINING');
          break;
        case 'XRUN':
          setState(s, 'SETUP');
          break;
        default:
          break;
      }
    } else if (rt.state === 'RUNNING') {
      postStop(s, captureAvail(rt) > 0n ? 'DRAINING' : 'SETUP');
    }
    return null;
  },
  post: () => undefined,
};

/** snd_pcm_start(): the whole group. */
export const start = (s: Substream): KErr | null => action(START, s, 'RUNNING');
/** snd_pcm_stop(): the whole group. */
export const stop = (s: Substream, state: PcmState): KErr | null => action(STOP, s, state);
/** snd_pcm_drain_done(): this stream only (pcm.group.drain-alone). */
export const drainDone = (s: Substream): KErr | null => actionSingle(STOP, s, 'SETUP');
/** __snd_pcm_xrun(). */
export const xrun = (s: Substream): KErr | null => stop(s, 'XRUN');
export const pause = (s: Substream, push: boolean): KErr | null => action(PAUSE, s, push);
/** snd_pcm_suspend(). */
export const suspend = (s: Substream): KErr | null => action(SUSPEND, s, null);
export const resume = (s: Substream): KErr | null => action(RESUME, s, null);
export const reset = (s: Substream): KErr | null => action(RESET, s, null);
export const drainInit = (s: Substream): KErr | null => action(DRAIN_INIT, s, null);

/** snd_pcm_prepare(): a PAUSED stream is released and a SUSPENDED one stopped first. */
export function prepare(s: Substream, nonblock: boolean): KErr | null {
  const st = s.rt.state;
  if (st === 'PAUSED') pause(s, false);
  if (st === 'PAUSED' || st === 'SUSPENDED') stop(s, 'SETUP');
  return action(PREPARE, s, nonblock);
}

/** snd_pcm_drop(): pcm.drop.ok, pcm.drop.open, pcm.drop.group-blocked (the stop's result is ignored). */
export function drop(s: Substream): KErr | null {
  const st = s.rt.state;
  if (st === 'OPEN' || st === 'DISCONNECTED') return kerr('EBADFD', 'pcm.drop.open');
  if (st === 'PAUSED') pause(s, false);
  stop(s, 'SETUP');
  return null;
}

/** snd_pcm_stop_xrun(): the driver found an xrun (device.xrun.driver). */
export function stopXrun(s: Substream): void {
  if (isRunning(s)) xrun(s);
}

