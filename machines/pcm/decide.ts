// Which edge an event takes, and the context after it. The XState machine (machine.ts) is built
// from the same edge lists and premises, and asks this module only what an effect computed
// (`endsIn`, `followsTo`); both walk the edges in the same order, so they choose alike.
import type { Errno } from '../../spec/abi/errno.ts';
import { PCM_STATES } from '../../spec/abi/states.ts';
import type { Command } from '../../spec/device.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import type { PcmContext, RegionState } from './context.ts';
import { ALL, applies, firstRefusal, type Edge, type EdgeOutcome, type OpSpec } from './edges.ts';
import type { PremiseRef } from './premises.ts';
import { cloneContext, membersOf, ModelError } from './kernel.ts';
import { OPS } from './ops/index.ts';

export const REGION_STATES: readonly RegionState[] = [...PCM_STATES, 'CLOSED'];

/** An edge as a machine with `files` files has it: the op's own, plus the group pre-check. */
export interface PlacedEdge extends Edge {
  /** The group pre-check found another member refusing first (pcm.group.all-or-nothing). */
  peer?: boolean;
}

const PEER_RULES: readonly RuleId[] = ['pcm.group.all-or-nothing'];

/**
 * Premises whose value a machine's shape fixes. With one file there is no other stream: nothing is
 * linked or held elsewhere, and a LINK can only name the caller itself. And a state can imply a
 * premise: PAUSED is only entered by a PAUSE push, which INFO_PAUSE allowed, and runtime->info
 * changes only in OPEN, SETUP and PREPARED.
 */
const FIXED_WITH_ONE_FILE: Readonly<Record<string, boolean>> = {
  isLinked: false, isDirectionHeld: false, isLinkTargetLinked: false, isLinkToSelf: true, isLinkTargetOpen: true, isLinkTargetSameState: true,
};
export const IMPLIED_BY_STATE: Partial<Record<RegionState, Readonly<Record<string, boolean>>>> = { PAUSED: { hasPauseInfo: true } };

/** The edge with its fixed premises resolved: null when one of them can never hold. */
function resolveFixed(e: Edge, files: 1 | 2, state: RegionState): Edge | null {
  const fixed = { ...(files === 1 ? FIXED_WITH_ONE_FILE : {}), ...IMPLIED_BY_STATE[state] };
  const kept: PremiseRef[] = [];
  for (const p of e.if ?? []) {
    const name = p.startsWith('!') ? p.slice(1) : p;
    if (!(name in fixed)) kept.push(p);
    else if (fixed[name] === p.startsWith('!')) return null; // can never hold
  }
  return kept.length === (e.if?.length ?? 0) ? e : { ...e, if: kept };
}

/** `later` can never be taken after `earlier`: a refusal whose premises are a subset of its own. */
const shadows = (earlier: Edge, later: Edge) =>
  !earlier.run && (earlier.if ?? []).every((p) => (later.if ?? []).includes(p));

/** edgesFor's answers by op, then files, then state: the tables do not change, and every decision
 * asks. */
const placed = new Map<OpSpec, [Map<RegionState, readonly PlacedEdge[]>, Map<RegionState, readonly PlacedEdge[]>]>();

/** The edges of `op` that apply in `state`, in the order the kernel checks them; edges an earlier
 * refusal shadows (its premises are a subset) are left out: they could never be taken. */
export function edgesFor(op: OpSpec, files: 1 | 2, state: RegionState): readonly PlacedEdge[] {
  let byFiles = placed.get(op);
  if (!byFiles) placed.set(op, (byFiles = [new Map(), new Map()]));
  const byState = byFiles[files - 1]!;
  let edges = byState.get(state);
  if (!edges) byState.set(state, (edges = Object.freeze(placeEdges(op, files, state))));
  return edges;
}

function placeEdges(op: OpSpec, files: 1 | 2, state: RegionState): PlacedEdge[] {
  const applicable = op.edges
    .filter((e) => e.in.includes(state) && (!e.group || files === 2))
    .map((e) => resolveFixed(e, files, state))
    .filter((e): e is Edge => e !== null);
  const own = applicable.filter((e, k) => !applicable.slice(0, k).some((earlier) => shadows(earlier, e)));
  if (files === 1 || !op.groupChecks || !(op.groupChecksIn ?? ALL).includes(state)) return own;
  // The group check comes where the op's own pre-check starts: after the VFS/unplug guards.
  const firstOwn = own.findIndex((e) => !e.rules.includes('pcm.file.not-open') && !e.rules.includes('device.disconnect.enodev'));
  const peer: PlacedEdge = { in: [state], peer: true, rules: PEER_RULES };
  const at = firstOwn < 0 ? own.length : firstOwn;
  return [...own.slice(0, at), peer, ...own.slice(at)];
}

/** The outcomes a run edge stands for (one per resulting state and errno). */
export const outcomesOf = (e: Edge): readonly EdgeOutcome[] =>
  e.group ? [{}] : e.outcomes ?? [{ ...(e.to ? { to: e.to } : {}), ...(e.errno ? { errno: e.errno } : {}) }];

/** The group pre-check's first refusal when it comes from another member (null otherwise). */
export function peerRefusal(op: OpSpec, ctx: PcmContext, i: number, ev: Command): Edge | null {
  if (!op.groupChecks || !ctx.group.includes(i)) return null;
  for (const j of membersOf(ctx, i)) {
    const r = firstRefusal(op.groupChecks, ctx, j, ev);
    if (r) return j === i ? null : r;
  }
  return null;
}

export function matches(e: Edge, o: EdgeOutcome, before: PcmContext, after: PcmContext, i: number, errno: Errno | undefined): boolean {
  if (e.group) return true;
  return (o.to ?? before.streams[i]!.state) === after.streams[i]!.state && o.errno === errno;
}

export interface Chosen {
  edge: PlacedEdge;
  index: number;
  outcome: number;
  /** `op:state:index:outcome`; a shared edge is `op:*:index:0`, one edge whatever the state. */
  id: string;
}

/** The identity of an edge (one per outcome) in coverage and tables. */
export function edgeId(op: OpSpec, state: RegionState, e: PlacedEdge, k: number, o: number): string {
  return e.shared ? `${op.type}:*:${op.edges.indexOf(e)}:0` : `${op.type}:${state}:${k}:${o}`;
}

/** The edges only a machine with two files has: the group pre-check and group outcomes, and edges
 * whose premises involve the other stream (linked, held elsewhere, LINK's target). The two-file
 * machine's coverage is measured on these; its single-file edges are the one-file machine's. */
export function twoFileEdges(): Set<string> {
  const one = allEdges(1);
  const out = new Set<string>();
  for (const [id, { edge }] of allEdges(2)) {
    const involvesOther = (edge.if ?? []).some((p) => (p.startsWith('!') ? p.slice(1) : p) in FIXED_WITH_ONE_FILE);
    if (edge.peer || edge.group || involvesOther || !one.has(id)) out.add(id);
  }
  return out;
}

/** Every edge a machine with `files` files has, by id (the coverage universe). */
export function allEdges(files: 1 | 2): Map<string, { op: OpSpec; state: RegionState | '*'; edge: PlacedEdge; outcome: number }> {
  const out = new Map<string, { op: OpSpec; state: RegionState | '*'; edge: PlacedEdge; outcome: number }>();
  for (const op of Object.values(OPS)) {
    for (const state of REGION_STATES) {
      edgesFor(op, files, state).forEach((e, k) =>
        outcomesOf(e).forEach((_o, o) => out.set(edgeId(op, state, e, k, o), { op, state: e.shared ? '*' : state, edge: e, outcome: o })),
      );
    }
  }
  return out;
}

export interface Decision {
  next: PcmContext;
  /** Per stream: the edge its region takes (null: it only follows what another stream did). */
  chosen: (Chosen | null)[];
}

/** One transition evaluates many guards on the same (context, event): keep the last decision. */
let last: { ctx: PcmContext; ev: Command; d: Decision } | null = null;

function refusal(ctx: PcmContext, errno: Errno, rules: readonly RuleId[]): PcmContext {
  const next = cloneContext(ctx);
  next.last = { ok: false, errno, rule: rules[0]! };
  next.lastRules = [...rules];
  return next;
}

function runEffect(op: OpSpec, ctx: PcmContext, i: number, ev: Command): PcmContext {
  const next = cloneContext(ctx);
  (op.effect as (c: PcmContext, i: number, ev: Command) => void)(next, i, ev);
  return next;
}

const errnoOf = (c: PcmContext): Errno | undefined => (c.last.ok ? undefined : c.last.errno);

function withRules(next: PcmContext, ...lists: (readonly RuleId[] | undefined)[]): PcmContext {
  const all = new Set<RuleId>();
  for (const l of lists) for (const r of l ?? []) all.add(r);
  for (const r of next.lastRules) all.add(r);
  return { ...next, lastRules: [...all] };
}

/** Chooses `stream`'s edge given the effect's result (computed at most once, lazily). */
function choose(
  op: OpSpec, ctx: PcmContext, stream: number, ev: Command, effect: () => PcmContext,
): { chosen: Chosen; next: PcmContext } {
  const state = ctx.streams[stream]!.state;
  const edges = edgesFor(op, ctx.files, state);
  for (let k = 0; k < edges.length; k++) {
    const e = edges[k]!;
    if (e.peer) {
      const r = peerRefusal(op, ctx, stream, ev);
      if (r) return { chosen: { edge: e, index: k, outcome: 0, id: edgeId(op, state, e, k, 0) }, next: refusal(ctx, r.errno!, [...PEER_RULES, ...r.rules]) };
      continue;
    }
    if (!applies(e, ctx, stream, ev)) continue;
    if (!e.run) return { chosen: { edge: e, index: k, outcome: 0, id: edgeId(op, state, e, k, 0) }, next: refusal(ctx, e.errno!, e.rules) };
    const after = effect();
    const outs = outcomesOf(e);
    const o = outs.findIndex((x) => matches(e, x, ctx, after, stream, errnoOf(after)));
    if (o >= 0) return { chosen: { edge: e, index: k, outcome: o, id: edgeId(op, state, e, k, o) }, next: withRules(after, e.rules, outs[o]!.rules) };
  }
  const s = ctx.streams[stream]!;
  const after = effect();
  const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
  throw new ModelError(
    `no edge of ${op.type} in ${state} fits what the effect did (stream ${stream}, ${s.dir}): ` +
      `it ended in ${after.streams[stream]!.state} with ${show(after.last)}; event ${show(ev)}; ` +
      `before: ${show({ ...s, hw: undefined })}`,
  );
}

export function decide(ctx: PcmContext, ev: Command): Decision {
  if (last && last.ctx === ctx && last.ev === ev) return last.d;
  const op = OPS[ev.type];
  let after: PcmContext | undefined;
  const chosen: (Chosen | null)[] = ctx.streams.map(() => null);
  let next: PcmContext;
  if (op.cardWide) {
    after = runEffect(op, ctx, 0, ev);
    const once = () => after!;
    next = after;
    for (let r = 0; r < ctx.streams.length; r++) {
      const c = choose(op, ctx, r, ev, once);
      chosen[r] = c.chosen;
      if (r === 0) next = c.next;
    }
  } else {
    const i = (ev as { fd: number }).fd;
    if (i < 0 || i >= ctx.streams.length) throw new ModelError(`fd ${i} is not one of this machine's ${ctx.files} file(s)`);
    if (ev.type === 'LINK' && (ev.other < 0 || ev.other >= ctx.streams.length)) {
      throw new ModelError(`LINK names fd ${ev.other}, which is not one of this machine's ${ctx.files} file(s)`);
    }
    const c = choose(op, ctx, i, ev, () => (after ??= runEffect(op, ctx, i, ev)));
    chosen[i] = c.chosen;
    next = c.next;
  }
  const d = { next, chosen };
  last = { ctx, ev, d };
  return d;
}
