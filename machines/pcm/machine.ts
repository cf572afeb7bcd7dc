// The PCM machine: one region per file (one, or two that can be linked), each in one of the nine
// kernel states or CLOSED. Every edge is generated from the op tables in ./ops, in the kernel's
// order of checks, and carries meta.rules; premises are named guards. Closed: no invoke, no after.
import { and, assign, not, setup } from 'xstate';
import type { Command } from '../../spec/device.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import { initialContext, type PcmContext, type PcmInput, type RegionState } from './context.ts';
import { decide, edgesFor, outcomesOf, peerRefusal, REGION_STATES, type PlacedEdge } from './decide.ts';
import { ModelError } from './kernel.ts';
import { OPS } from './ops/index.ts';
import { PREMISES, type PremiseName, type PremiseRef } from './premises.ts';

/** What every generated transition says about itself (tables, diagrams, coverage). */
export interface EdgeMeta {
  op: string;
  from: RegionState;
  to: RegionState;
  errno: string | null;
  rules: readonly RuleId[];
  premises: readonly PremiseRef[];
  kind: 'refusal' | 'effect' | 'group' | 'peer' | 'follow' | 'gap';
}

type P = { i: number };
type Ev = Command;

const premiseGuards = Object.fromEntries(
  Object.entries(PREMISES).map(([name, f]) => [
    name,
    ({ context, event }: { context: PcmContext; event: Ev }, params: P) => f(context, params.i, event),
  ]),
) as Record<PremiseName, (a: { context: PcmContext; event: Ev }, p: P) => boolean>;

// The config is generated, so its guards are built untyped and checked by XState at creation.
const all = (guards: unknown[]) => and(guards as never);
const neg = (guard: unknown) => not(guard as never);
const guardOf = (ref: PremiseRef, i: number): unknown =>
  ref.startsWith('!') ? neg({ type: ref.slice(1), params: { i } }) : { type: ref, params: { i } };

const errnoOf = (c: PcmContext) => (c.last.ok ? undefined : c.last.errno);

const pcmSetup = setup({
  types: {
    context: {} as PcmContext,
    events: {} as Ev,
    input: {} as PcmInput,
  },
  guards: {
    ...premiseGuards,
    /** The event is addressed to this region's file (or is card-wide and this region classifies it). */
    isActor: ({ event }, params: P) => !('fd' in event) || event.fd === params.i,
    /** pcm.group.all-or-nothing — another member of the group refuses the action first. */
    groupRefusesFirst: ({ context, event }, params: P) => peerRefusal(OPS[event.type], context, params.i, event) !== null,
    /** The op's effect leaves this stream in `to` with `errno` (or anything, for a group edge). */
    endsIn: ({ context, event }, params: P & { to: RegionState | null; errno: string | null; anyErrno: boolean }) => {
      const { next } = decide(context, event);
      const to = params.to ?? context.streams[params.i]!.state;
      return next.streams[params.i]!.state === to && (params.anyErrno || (errnoOf(next) ?? null) === params.errno);
    },
    /** Another file's command moved this stream to `to` (a group action, an xrun, a release). */
    followsTo: ({ context, event }, params: P & { to: RegionState }) =>
      decide(context, event).next.streams[params.i]!.state === params.to,
  },
  actions: {
    /** Takes the context the event leads to (the result, the rules, every stream's runtime). */
    commit: assign(({ context, event }) => decide(context, event).next),
    /** No edge fits: the model is incomplete here. */
    gap: ({ context, event }) => {
      decide(context, event); // throws a ModelError naming the op, state and event
      throw new ModelError(`no transition for ${event.type}`);
    },
  },
});

function transitionsFor(opType: string, files: 1 | 2, i: number, state: RegionState): unknown[] {
  const op = OPS[opType as Command['type']];
  const commits = !op.cardWide || i === 0;
  const actions = commits ? [{ type: 'commit' as const }] : [];
  const out: unknown[] = [];
  const edges = edgesFor(op, files, state);
  // A shared check lives on the region (sharedTransitions); the state's own edges exclude its case.
  const sharedCase = edges.filter((e) => e.shared).flatMap((e) => e.if ?? []);
  const exclude = sharedCase.map((r) => guardOf(r.startsWith('!') ? (r.slice(1) as PremiseRef) : (`!${r}` as PremiseRef), i));
  edges.forEach((e: PlacedEdge) => {
    if (e.shared) return;
    const base: unknown[] = [{ type: 'isActor', params: { i } }, ...exclude, ...(e.if ?? []).map((r) => guardOf(r, i))];
    if (e.peer) {
      out.push({
        guard: all([base[0], { type: 'groupRefusesFirst', params: { i } }]),
        actions,
        meta: meta(opType, state, state, null, e.rules, [], 'peer'),
      });
      return;
    }
    if (!e.run) {
      out.push({ guard: all(base), actions, meta: meta(opType, state, state, e.errno ?? null, e.rules, e.if, 'refusal') });
      return;
    }
    for (const o of outcomesOf(e)) {
      const to = e.group ? null : o.to ?? null;
      const target = to && to !== state ? to : undefined;
      const ends = { type: 'endsIn', params: { i, to, errno: o.errno ?? null, anyErrno: false } };
      const rules = [...e.rules, ...(o.rules ?? [])];
      if (e.group) {
        // A group edge goes wherever the action left the stream, with whatever it returned.
        for (const s of REGION_STATES) {
          out.push({
            guard: all([...base, { type: 'endsIn', params: { i, to: s, errno: null, anyErrno: true } }]),
            ...(s !== state ? { target: s } : {}),
            actions,
            meta: meta(opType, state, s, null, rules, e.if, 'group'),
          });
        }
        continue;
      }
      const kind = 'effect';
      out.push({
        guard: all([...base, ends]),
        ...(target ? { target } : {}),
        actions,
        meta: meta(opType, state, to ?? state, o.errno ?? null, rules, e.if, kind),
      });
    }
  });
  out.push({
    guard: all([{ type: 'isActor', params: { i } }, ...exclude]),
    actions: [{ type: 'gap' }],
    meta: meta(opType, state, state, null, [], [], 'gap'),
  });
  if (files === 2 && !op.cardWide) {
    for (const to of REGION_STATES) {
      if (to === state) continue;
      out.push({
        guard: all([neg({ type: 'isActor', params: { i } }), { type: 'followsTo', params: { i, to } }]),
        target: to,
        meta: meta(opType, state, to, null, ['pcm.group.all-or-nothing'], [], 'follow'),
      });
    }
  }
  return out;
}

function meta(
  op: string, from: RegionState, to: RegionState, errno: string | null, rules: readonly RuleId[],
  premises: readonly PremiseRef[] | undefined, kind: EdgeMeta['kind'],
): EdgeMeta {
  return { op, from, to, errno, rules: [...new Set(rules)], premises: premises ?? [], kind };
}

/** The shared checks, once per region: taken before any state's own edges can be. */
function sharedTransitions(files: 1 | 2, i: number): Record<string, unknown[]> {
  const on: Record<string, unknown[]> = {};
  for (const op of Object.values(OPS)) {
    const shared = op.edges.filter((e) => e.shared);
    if (!shared.length) continue;
    on[op.type] = shared.map((e) => ({
      guard: all([{ type: 'isActor', params: { i } }, ...(e.if ?? []).map((r) => guardOf(r, i))]),
      actions: [{ type: 'commit' }],
      meta: meta(op.type, '*' as RegionState, '*' as RegionState, e.errno ?? null, e.rules, e.if, e.run ? 'effect' : 'refusal'),
    }));
  }
  void files;
  return on;
}

function regionStates(files: 1 | 2, i: number): Record<string, unknown> {
  return Object.fromEntries(
    REGION_STATES.map((state) => [
      state,
      { on: Object.fromEntries(Object.keys(OPS).map((t) => [t, transitionsFor(t, files, i, state)])) },
    ]),
  );
}

/** The PCM machine for one file (the spec's diagram and table) or two (linked groups). */
export function createPcmMachine(files: 1 | 2 = 1) {
  const config =
    files === 1
      ? { id: 'pcm', initial: 'CLOSED', on: sharedTransitions(1, 0), states: regionStates(1, 0) }
      : {
          id: 'pcm2',
          type: 'parallel',
          states: {
            fd0: { initial: 'CLOSED', on: sharedTransitions(2, 0), states: regionStates(2, 0) },
            fd1: { initial: 'CLOSED', on: sharedTransitions(2, 1), states: regionStates(2, 1) },
          },
        };
  return pcmSetup.createMachine({
    ...(config as object),
    context: ({ input }: { input: PcmInput }) => initialContext({ ...input, files }),
  } as never);
}

export type PcmMachine = ReturnType<typeof createPcmMachine>;

/** The state of each file's region in a snapshot, e.g. ['RUNNING'] or ['PREPARED', 'CLOSED']. */
export function regionsOf(snapshot: { value: unknown }): RegionState[] {
  const v = snapshot.value as unknown;
  if (typeof v === 'string') return [v as RegionState];
  const o = v as Record<string, RegionState>;
  return [o.fd0!, o.fd1!];
}
