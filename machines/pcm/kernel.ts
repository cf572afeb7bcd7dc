// The kernel procedures the ops share, on a mutable copy of the context: group actions, stop and
// xrun, the hw_ptr update with its verdict, the device running, the waits of blocking calls, and
// the release of a file. Each names the kernel function it follows.
import type { Errno } from '../../spec/abi/errno.ts';
import type { PcmState } from '../../spec/abi/states.ts';
import type { Command } from '../../spec/device.ts';
import type { SyncMode, SyncSite } from '../../spec/dma.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import { cloneMem, releaseBuf } from '../buffer/allocator.ts';
import { freshStream, type PcmContext } from './context.ts';
import {
  firstRefusal, PRE_DRAIN_INIT, PRE_PAUSE, PRE_PREPARE, PRE_RESET, PRE_RESUME, PRE_START, PRE_STOP, PRE_SUSPEND,
  type Edge,
} from './edges.ts';
import { avail, captureAvail, isRunning, playbackEmpty, updateHwPtr, verdict } from './runtime.ts';

/** Invariant of the model itself broken (never a spec outcome). */
export class ModelError extends Error {}

const LOOP_LIMIT = 1_000_000;

export function cloneContext(ctx: PcmContext): PcmContext {
  return { ...ctx, streams: ctx.streams.map((s) => ({ ...s })), group: [...ctx.group], memory: cloneMem(ctx.memory), lastRules: [], lastSyncs: [] };
}

/** snd_pcm_dma_buffer_sync(): records the call; whether it does anything is the sync machine's
 * business (sync.point.gate). */
export function dmaSync(ctx: PcmContext, i: number, mode: SyncMode, site: SyncSite): void {
  ctx.lastSyncs.push({ fd: i, mode, site });
}

/** snd_pcm_lib_free_pages() of the stream's runtime buffer (buffer.hw-free.order). */
export function releaseBuffer(ctx: PcmContext, i: number): void {
  const s = ctx.streams[i]!;
  releaseBuf(ctx.memory, s.buf);
  s.buf = null;
}

export const note = (ctx: PcmContext, ...rules: RuleId[]): void => {
  for (const r of rules) if (!ctx.lastRules.includes(r)) ctx.lastRules.push(r);
};

/** The members a group action visits, in the kernel's list order (snd_pcm_group_for_each_entry). */
export const membersOf = (ctx: PcmContext, i: number): number[] => (ctx.group.includes(i) ? [...ctx.group] : [i]);

/**
 * snd_pcm_action_group() / snd_pcm_action_single(): every member's pre-check, then every member's
 * action. Returns the first refusal (nothing changed) or null.
 */
export function groupAction(
  ctx: PcmContext,
  i: number,
  checks: readonly Edge[],
  ev: Command,
  act: (j: number) => void,
): Edge | null {
  const members = membersOf(ctx, i);
  for (const j of members) {
    const r = firstRefusal(checks, ctx, j, ev);
    if (r) return r;
  }
  for (const j of members) act(j);
  return null;
}

const setState = (ctx: PcmContext, j: number, to: PcmState) => {
  ctx.streams[j]!.state = to;
};

/** snd_pcm_stop(): stop the group in `to` (members already there stay). */
export function stopGroup(ctx: PcmContext, i: number, to: PcmState): Edge | null {
  return groupAction(ctx, i, PRE_STOP, { type: 'DROP', fd: i }, (j) => setState(ctx, j, to));
}

/** snd_pcm_action_single(&snd_pcm_action_stop): this stream only (drain completion, capture drain). */
export function stopSingle(ctx: PcmContext, i: number, to: PcmState): void {
  if (ctx.streams[i]!.state !== 'OPEN') setState(ctx, i, to);
}

/** __snd_pcm_xrun() — ring.xrun.detect. */
export function xrun(ctx: PcmContext, i: number): void {
  note(ctx, 'ring.xrun.detect');
  stopGroup(ctx, i, 'XRUN');
}

/** snd_pcm_update_hw_ptr0() + snd_pcm_update_state(): EPIPE when the update ended the stream. */
export function update(ctx: PcmContext, i: number, inInterrupt: boolean): Errno | null {
  const s = ctx.streams[i]!;
  if (!updateHwPtr(s, inInterrupt)) return null;
  note(ctx, 'ring.update.hw-ptr');
  if (s.dir === 'PLAYBACK' && s.silenceSize > 0n) note(ctx, 'ring.silence.fill');
  return settle(ctx, i);
}

/** snd_pcm_update_state(): the verdict after hw_ptr moved or data was transferred. */
export function settle(ctx: PcmContext, i: number): Errno | null {
  note(ctx, 'ring.update.state');
  switch (verdict(ctx.streams[i]!)) {
    case 'DRAIN_DONE':
      note(ctx, 'ring.drain.complete');
      if (ctx.group.includes(i)) note(ctx, 'pcm.group.drain-alone');
      stopSingle(ctx, i, 'SETUP');
      return 'EPIPE';
    case 'XRUN':
      xrun(ctx, i);
      return 'EPIPE';
    default:
      return null;
  }
}

/** do_pcm_hwsync(): the state switch shared by DELAY, HWSYNC, REWIND, FORWARD, SYNC_PTR(HWSYNC). */
export function hwsync(ctx: PcmContext, i: number): Errno | null {
  const s = ctx.streams[i]!;
  switch (s.state) {
    case 'DRAINING':
      if (s.dir === 'CAPTURE') return 'EBADFD';
      return update(ctx, i, false);
    case 'RUNNING':
      return update(ctx, i, false);
    case 'PREPARED':
    case 'PAUSED':
      return null;
    case 'SUSPENDED':
      return 'ESTRPIPE';
    case 'XRUN':
      return 'EPIPE';
    default:
      return 'EBADFD';
  }
}

/** device.advance.running — the DMA runs `frames` frames, interrupting at each period boundary. */
export function runDevice(ctx: PcmContext, i: number, frames: bigint): bigint {
  const s = ctx.streams[i]!;
  let ran = 0n;
  while (ran < frames && isRunning(s) && s.hw) {
    const period = s.hw.periodSize;
    const step = frames - ran < period - (s.pos % period) ? frames - ran : period - (s.pos % period);
    s.pos = (s.pos + step) % s.hw.bufferSize;
    ran += step;
    if (s.pos % period === 0n) {
      note(ctx, 'device.advance.running');
      update(ctx, i, true); // snd_pcm_period_elapsed()
    }
  }
  return ran;
}

/** Runs the device to its next period interrupt (what a sleeping caller waits for). */
const runPeriod = (ctx: PcmContext, i: number): bigint => {
  const s = ctx.streams[i]!;
  return s.hw ? runDevice(ctx, i, s.hw.periodSize - (s.pos % s.hw.periodSize)) : 0n;
};

/** snd_pcm_pause() over the group; null when it paused/released. */
export function pauseGroup(ctx: PcmContext, i: number, push: boolean): Edge | null {
  const ev: Command = { type: 'PAUSE', fd: i, push };
  const members = membersOf(ctx, i);
  for (const j of members) {
    const r = firstRefusal(PRE_PAUSE, ctx, j, ev);
    if (r) return r;
  }
  // 6.1's snd_pcm_do_pause() updated hw_ptr before a push (pcm.pause.push).
  if (push && ctx.kernel === '6.1') for (const j of members) update(ctx, j, false);
  for (const j of members) setState(ctx, j, push ? 'PAUSED' : 'RUNNING');
  return null;
}

/** snd_pcm_start() over the group, into RUNNING (or DRAINING for a drain's own start). */
export function startGroup(ctx: PcmContext, i: number): Edge | null {
  return groupAction(ctx, i, PRE_START, { type: 'START', fd: i }, (j) => setState(ctx, j, 'RUNNING'));
}

/** snd_pcm_action_nonatomic(&snd_pcm_action_prepare): pre, do and post over the group. */
export function prepareGroup(ctx: PcmContext, i: number): Edge | null {
  const ev: Command = { type: 'PREPARE', fd: i };
  const nonblock = ctx.streams[i]!.fileNonblock;
  const members = membersOf(ctx, i);
  for (const j of members) {
    const r = firstRefusal(PRE_PREPARE, ctx, j, ev);
    if (r) return r;
    ctx.streams[j]!.xferNonblock = nonblock; // substream->f_flags, set as each member passes
  }
  for (const j of members) {
    const s = ctx.streams[j]!;
    s.pos = 0n; // the driver's prepare
    s.hwPtr = 0n; // snd_pcm_lib_ioctl_reset() on a stream that does not run
    s.hwPtrBase = 0n;
    s.hwPtrInterrupt = 0n;
  }
  for (const j of members) {
    const s = ctx.streams[j]!;
    s.applPtr = s.hwPtr;
    s.state = 'PREPARED';
  }
  return null;
}

/** The recovery snd_pcm_prepare() runs before its action: PAUSED → release → stop; SUSPENDED → stop. */
export function recoverForPrepare(ctx: PcmContext, i: number): void {
  const s = ctx.streams[i]!;
  if (s.state === 'PAUSED') {
    pauseGroup(ctx, i, false);
    stopGroup(ctx, i, 'SETUP');
  } else if (s.state === 'SUSPENDED') {
    stopGroup(ctx, i, 'SETUP');
  }
}

/** snd_pcm_reset(): pre over the group, then snd_pcm_do_reset() and snd_pcm_post_reset() per member. */
export function resetGroup(ctx: PcmContext, i: number): Edge | null {
  const members = membersOf(ctx, i);
  const ev: Command = { type: 'RESET', fd: i };
  for (const j of members) {
    const r = firstRefusal(PRE_RESET, ctx, j, ev);
    if (r) return r;
  }
  for (const j of members) {
    const s = ctx.streams[j]!;
    const buffer = s.hw?.bufferSize ?? 1n;
    const period = s.hw?.periodSize ?? 1n;
    if (isRunning(s) && update(ctx, j, false) === null) s.hwPtr %= buffer;
    else s.hwPtr = 0n;
    s.hwPtrBase = 0n;
    s.hwPtrInterrupt = s.hwPtr - (s.hwPtr % period);
  }
  for (const j of members) {
    const s = ctx.streams[j]!;
    s.applPtr = s.hwPtr;
  }
  return null;
}

/** snd_pcm_resume(). */
export function resumeGroup(ctx: PcmContext, i: number): Edge | null {
  return groupAction(ctx, i, PRE_RESUME, { type: 'RESUME', fd: i }, (j) => {
    const s = ctx.streams[j]!;
    s.state = s.suspendedState;
  });
}

/** snd_pcm_do_drain_init() over the group. */
export function drainInitGroup(ctx: PcmContext, i: number): Edge | null {
  return groupAction(ctx, i, PRE_DRAIN_INIT, { type: 'DRAIN', fd: i }, (j) => {
    const s = ctx.streams[j]!;
    if (s.dir === 'PLAYBACK') {
      if (s.state === 'PREPARED') s.state = playbackEmpty(s) ? 'SETUP' : 'DRAINING';
      else if (s.state === 'RUNNING') s.state = 'DRAINING';
      else if (s.state === 'XRUN') s.state = 'SETUP';
    } else if (s.state === 'RUNNING') {
      s.state = captureAvail(s) > 0n ? 'DRAINING' : 'SETUP';
    }
  });
}

/** The wait of a blocking DRAIN: round by round, every draining playback member's device runs to
 * its next period interrupt, until no member drains. */
export function drainWait(ctx: PcmContext, i: number): void {
  const draining = (j: number) => ctx.streams[j]!.dir === 'PLAYBACK' && ctx.streams[j]!.state === 'DRAINING';
  for (let n = 0; n < LOOP_LIMIT; n++) {
    const members = membersOf(ctx, i).filter(draining);
    if (members.length === 0) return;
    let ran = 0n;
    for (const j of members) if (draining(j)) ran += runPeriod(ctx, j);
    if (ran === 0n) throw new ModelError('a draining stream does not run');
  }
  throw new ModelError('drain did not finish');
}

export interface Waited {
  errno?: Errno;
  avail: bigint;
}

/** wait_for_avail(): the stream's own device runs one period at a time until avail ≥ twake. */
export function waitForAvail(ctx: PcmContext, i: number, twake: bigint): Waited {
  const s = ctx.streams[i]!;
  for (let n = 0; n < LOOP_LIMIT; n++) {
    const a = avail(s);
    if (a >= twake) return { avail: a };
    const progressed = isRunning(s) && runPeriod(ctx, i) > 0n;
    switch (s.state) {
      case 'SUSPENDED':
        return { errno: 'ESTRPIPE', avail: 0n };
      case 'XRUN':
        return { errno: 'EPIPE', avail: 0n };
      case 'DRAINING':
        if (s.dir === 'PLAYBACK') return { errno: 'EPIPE', avail: 0n };
        return { avail: 0n };
      case 'OPEN':
      case 'SETUP':
      case 'DISCONNECTED':
        return { errno: 'EBADFD', avail: 0n };
      case 'PAUSED':
        note(ctx, 'harness.wait.signal');
        return { errno: 'EINTR', avail: 0n }; // the kernel would wait for a signal; the harness sends one
    }
    if (!progressed) return { errno: 'EIO', avail: 0n };
  }
  throw new ModelError('wait_for_avail did not end');
}

/** snd_pcm_suspend_all(): each substream with a runtime, playback first, as a group action. */
export function suspendAll(ctx: PcmContext): void {
  const order = ctx.streams
    .map((s, j) => ({ s, j }))
    .filter(({ s }) => s.state !== 'CLOSED')
    .sort((a, b) => (a.s.dir === b.s.dir ? a.j - b.j : a.s.dir === 'PLAYBACK' ? -1 : 1));
  for (const { j } of order) {
    const refused = groupAction(ctx, j, PRE_SUSPEND, { type: 'SUSPEND' }, (m) => {
      const s = ctx.streams[m]!;
      s.suspendedState = s.state as PcmState;
      s.state = 'SUSPENDED';
    });
    // A stream that could suspend, kept running by a member that cannot.
    if (refused && !firstRefusal(PRE_SUSPEND, ctx, j, { type: 'SUSPEND' })) note(ctx, 'device.suspend.group-blocked');
  }
}

/** snd_card_disconnect() → snd_pcm_dev_disconnect(): every stream with a runtime ends DISCONNECTED. */
export function disconnectAll(ctx: PcmContext): void {
  ctx.disconnected = true;
  for (const s of ctx.streams) if (s.state !== 'CLOSED') s.state = 'DISCONNECTED';
}

/** snd_pcm_unlink(). */
export function unlink(ctx: PcmContext, i: number): void {
  ctx.group = ctx.group.filter((j) => j !== i);
  if (ctx.group.length === 1) ctx.group = [];
}

/** snd_pcm_release_substream(): drop (group-wide), hw_free, unlink, detach. */
export function release(ctx: PcmContext, i: number): void {
  const s = ctx.streams[i]!;
  if (s.state !== 'OPEN' && s.state !== 'DISCONNECTED') {
    if (s.state === 'PAUSED') pauseGroup(ctx, i, false);
    stopGroup(ctx, i, 'SETUP');
  }
  unlink(ctx, i);
  releaseBuffer(ctx, i); // do_hw_free() unless the stream is in OPEN, which holds no buffer
  ctx.streams[i] = freshStream(s.dir);
}
