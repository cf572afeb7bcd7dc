// The shape of the machine's edges, and the pre-checks of the trigger-type ioctls.
// An op is an ordered list of edges, like the kernel's sequence of checks: the first edge whose
// state set contains the acting stream's state and whose premises all hold is taken.
import type { Errno } from '../../spec/abi/errno.ts';
import { PCM_STATES, type PcmState } from '../../spec/abi/states.ts';
import type { Command, CommandType } from '../../spec/device.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import type { PcmContext, RegionState } from './context.ts';
import { holds, type PremiseRef } from './premises.ts';

/** One way an effect-running edge can end. */
export interface EdgeOutcome {
  to?: RegionState;
  errno?: Errno;
  rules?: readonly RuleId[];
}

export interface Edge {
  /** The states of the acting stream this edge applies in. */
  in: readonly RegionState[];
  /** Premises that must all hold (a leading '!' negates). */
  if?: readonly PremiseRef[];
  /** The errno the command returns on this edge (a refusal, or an error after effects). */
  errno?: Errno;
  /** The acting stream's state afterwards; absent: unchanged. */
  to?: RegionState;
  /** The op's effect runs on this edge; otherwise nothing changes (a pure refusal). */
  run?: boolean;
  /** The ends an effect may reach (state and errno), when there is more than one; each becomes an
   * edge of its own, taken when the effect ends there. */
  outcomes?: readonly EdgeOutcome[];
  /** Machines with two files only: a group action whose end depends on the other member
   * (pcm.group.all-or-nothing); matches whatever the effect computed. */
  group?: boolean;
  /** A check made before the per-state dispatch, the same in every state (the VFS's closed-file
   * check): one edge on the region itself rather than one per state. */
  shared?: boolean;
  rules: readonly RuleId[];
}

export interface OpSpec<T extends CommandType = CommandType> {
  type: T;
  /** Trigger-type ioctls check every member of a linked group first (pcm.group.all-or-nothing). */
  groupChecks?: readonly Edge[];
  /** The caller's states in which the group pre-check runs on the unchanged context (before it,
   * PREPARE recovers PAUSED and SUSPENDED streams). Default: every state. */
  groupChecksIn?: readonly RegionState[];
  /** A card-wide event (no fd): every stream classifies its own end; file 0 commits. */
  cardWide?: boolean;
  edges: readonly Edge[];
  /** The effect on a copy of the context; it sets `ctx.last` (and may add rules to `ctx.lastRules`). */
  effect?: (ctx: PcmContext, i: number, ev: Extract<Command, { type: T }>) => void;
}

export const ALL: readonly PcmState[] = PCM_STATES;
export const except = (...states: PcmState[]): PcmState[] => PCM_STATES.filter((s) => !states.includes(s));

export function applies(e: Edge, ctx: PcmContext, i: number, ev: Command): boolean {
  const s = ctx.streams[i]!.state;
  return e.in.includes(s) && (e.if ?? []).every((p) => holds(p, ctx, i, ev));
}

/** The first refusing check for member `i`, or null when it passes. */
export function firstRefusal(checks: readonly Edge[], ctx: PcmContext, i: number, ev: Command): Edge | null {
  return checks.find((e) => applies(e, ctx, i, ev)) ?? null;
}

// Pre-checks of the group actions (the kernel's pre_action callbacks), per member.

/** snd_pcm_pre_start(). */
export const PRE_START: readonly Edge[] = [
  { in: except('PREPARED'), errno: 'EBADFD', rules: ['pcm.start.not-prepared'] },
  { in: ['PREPARED'], if: ['isPlayback', '!playbackHasData'], errno: 'EPIPE', rules: ['pcm.start.no-data'] },
];

/** snd_pcm_pre_stop(). */
export const PRE_STOP: readonly Edge[] = [{ in: ['OPEN'], errno: 'EBADFD', rules: ['pcm.drop.group-blocked'] }];

/** snd_pcm_pre_pause(): support first, then the state. */
export const PRE_PAUSE: readonly Edge[] = [
  { in: ALL, if: ['!hasPauseInfo'], errno: 'ENOSYS', rules: ['pcm.pause.no-support'] },
  { in: except('RUNNING'), if: ['isPush'], errno: 'EBADFD', rules: ['pcm.pause.bad-state'] },
  { in: except('PAUSED'), if: ['!isPush'], errno: 'EBADFD', rules: ['pcm.pause.bad-state'] },
];

/** snd_pcm_pre_prepare(). */
export const PRE_PREPARE: readonly Edge[] = [
  { in: ['OPEN', 'DISCONNECTED'], errno: 'EBADFD', rules: ['pcm.prepare.open'] },
  { in: ['RUNNING'], errno: 'EBUSY', rules: ['pcm.prepare.busy'] },
  { in: ['DRAINING'], if: ['isPlayback'], errno: 'EBUSY', rules: ['pcm.prepare.busy'] },
];

/** snd_pcm_pre_reset(). */
export const PRE_RESET: readonly Edge[] = [
  { in: ['OPEN', 'SETUP', 'XRUN', 'DRAINING', 'DISCONNECTED'], errno: 'EBADFD', rules: ['pcm.reset.bad-state'] },
];

/** snd_pcm_pre_resume(): the state first, then support. */
export const PRE_RESUME: readonly Edge[] = [
  { in: except('SUSPENDED'), errno: 'EBADFD', rules: ['pcm.resume.not-suspended'] },
  { in: ['SUSPENDED'], if: ['!hasResumeInfo'], errno: 'ENOSYS', rules: ['pcm.resume.no-support'] },
];

/** snd_pcm_pre_drain_init(). */
export const PRE_DRAIN_INIT: readonly Edge[] = [
  { in: ['OPEN', 'DISCONNECTED', 'SUSPENDED'], errno: 'EBADFD', rules: ['pcm.drain.suspended'] },
];

/** snd_pcm_pre_suspend(): unresumable states answer EBUSY and are skipped. */
export const PRE_SUSPEND: readonly Edge[] = [
  { in: ['SUSPENDED', 'OPEN', 'SETUP', 'DISCONNECTED'], errno: 'EBUSY', rules: ['device.suspend.group-blocked'] },
];
