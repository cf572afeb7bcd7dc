// The fast explorer (conformance/explorer.ts) against the XState machine and xstate/graph: the pure
// transition function agrees with the machine step by step, rows hold contexts exactly, the search
// finds what xstate/graph's traversal finds, and the paths take every transition.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { initialTransition, type AnyStateMachine } from 'xstate';
import { getAdjacencyMap } from 'xstate/graph';
import type { Command } from '../../spec/device.ts';
import { freshStream, initialContext, type PcmContext } from '../../machines/pcm/context.ts';
import { decide } from '../../machines/pcm/decide.ts';
import { regionsOf } from '../../machines/pcm/machine.ts';
import { commandArbitrary, pathEvents } from '../../conformance/generators.ts';
import { machineFor } from '../../conformance/model.ts';
import { pureStep } from '../../conformance/traverse.ts';
import { ContextPacker, PACKED_STREAM_FIELDS } from '../../conformance/pack.ts';
import { confirm, cover, explore, pathEvents as coverPathEvents, replayPaths, type Graph } from '../../conformance/explorer.ts';
import { stringify } from '../../conformance/codec.ts';
import { DEFAULT_CAPS } from '../../reference/ring-core/index.ts';
import { MEMORY_PROFILES } from '../../conformance/backends.ts';
import { bufferEventArbitrary } from '../../conformance/buffer/vocabulary.ts';
import { BOUNDED_EVENTS, BOUNDED_INPUT, withinBound } from '../../bench/bounded.ts';

type Snap = { context: PcmContext; value: unknown; status: string };
const CAPS = { PLAYBACK: DEFAULT_CAPS, CAPTURE: DEFAULT_CAPS };

/** Random commands: realistic ones, and the path generator's, in the state they are sent in. */
const walk = (files: 1 | 2) =>
  fc.array(fc.oneof(commandArbitrary(CAPS, files).map((c) => () => c), fc.nat().map((k) => (ctx: PcmContext) => {
    const evs = pathEvents(ctx, CAPS);
    return evs[k % evs.length]!;
  })), { minLength: 1, maxLength: 40 });

for (const files of [1, 2] as const) {
  test(`decide() takes the XState machine's transitions step by step on random walks (${files} file${files > 1 ? 's' : ''}), whatever the last outcome was`, () => {
    const input = { caps: CAPS, kernel: '7.2' as const, files };
    const machine = machineFor(files) as unknown as AnyStateMachine;
    const step = pureStep<Snap, Command>(machine, input);
    fc.assert(
      fc.property(walk(files), (picks) => {
        let [snap] = initialTransition(machine, input) as unknown as [Snap];
        let ctx = initialContext(input);
        for (const pick of picks) {
          const cmd = (pick as (c: PcmContext) => Command)(ctx);
          let pure: PcmContext | Error;
          try {
            pure = decide(ctx, cmd).next;
          } catch (e) {
            pure = e as Error;
          }
          let next: Snap | Error;
          try {
            next = step(snap, cmd);
            if (next.status === 'error') next = new Error(String((next as unknown as { error: unknown }).error));
          } catch (e) {
            next = e as Error;
          }
          assert.equal(pure instanceof Error, next instanceof Error, `both fail or neither: ${stringify(cmd)}`);
          if (pure instanceof Error || next instanceof Error) return;
          assert.deepStrictEqual(next.context, pure, stringify(cmd));
          assert.deepEqual(regionsOf(next), pure.streams.map((s) => s.state));
          // the previous outcome plays no part: the same decision from a context without it
          assert.deepStrictEqual(decide({ ...ctx, last: { ok: true }, lastRules: [] }, cmd).next, pure);
          snap = next;
          ctx = pure;
        }
      }),
      { numRuns: 150 },
    );
  });
}

/** Random commands, the path generator's, and the buffer suite's lifecycle and proc commands
 * (sizes across every limit a memory profile has). */
const steps = (files: 1 | 2) =>
  fc.oneof(
    commandArbitrary(CAPS, files).map((c) => () => c),
    fc.nat().map((k) => (ctx: PcmContext) => {
      const evs = pathEvents(ctx, CAPS);
      return evs[k % evs.length]!;
    }),
    fc.oneof(bufferEventArbitrary('PLAYBACK'), bufferEventArbitrary('CAPTURE')).map((c) => (): Command => c),
  );

test('a packed row holds every field of a stream and gives the same context back', () => {
  assert.deepEqual([...PACKED_STREAM_FIELDS].sort(), Object.keys(freshStream()).sort());
  // the default memory, and cards whose allocations can fail, preallocate or need syncing
  const memories = [undefined, ...(['dummy', 'prealloc', 'fallback', 'legacy', 'noncoherent'] as const).map((p) => MEMORY_PROFILES[p].memory)];
  for (const [files, memory] of memories.flatMap((m) => [[1, m], [2, m]] as const)) {
    const input = { caps: CAPS, kernel: '7.2' as const, files, ...(memory ? { memory } : {}) };
    const packer = new ContextPacker(input);
    const row = new Int32Array(packer.width);
    fc.assert(
      fc.property(fc.array(steps(files), { maxLength: 30 }), (picks) => {
        let ctx = initialContext(input);
        for (const pick of picks) {
          try {
            ctx = decide(ctx, pick(ctx)).next;
          } catch {
            return;
          }
          packer.pack(ctx, row);
          assert.deepStrictEqual(packer.unpack(row), { ...ctx, last: { ok: true }, lastRules: [], lastSyncs: [] });
          assert.equal(packer.key(packer.unpack(row)), packer.key(ctx));
        }
      }),
      { numRuns: 60 },
    );
  }
});

test('the search finds the states and transitions of xstate/graph getAdjacencyMap on PCM(N)', () => {
  const n = 256;
  const g = explore({ input: BOUNDED_INPUT, events: BOUNDED_EVENTS, expand: withinBound(n) });
  const machine = machineFor(1) as unknown as AnyStateMachine;
  const packer = new ContextPacker(BOUNDED_INPUT);
  const within = withinBound(n);
  const adj = getAdjacencyMap(machine as never, {
    input: BOUNDED_INPUT,
    events: (s: Snap) => (within(s.context) ? BOUNDED_EVENTS : []),
    serializeState: (s: Snap) => packer.key(s.context),
    serializeEvent: stringify,
  } as never) as unknown as Record<string, { transitions: Record<string, { state: Snap }> }>;
  const ours = new Map<string, number>();
  for (let s = 0; s < g.states; s++) ours.set(g.packer.describe(g.rows, s * g.width), s);
  assert.deepEqual(new Set(ours.keys()), new Set(Object.keys(adj)));
  const E = g.events.length;
  let transitions = 0;
  for (const [k, node] of Object.entries(adj)) {
    const s = ours.get(k)!;
    const theirs = Object.entries(node.transitions).map(([ev, t]) => `${ev} -> ${packer.key(t.state.context)}`).sort();
    const mine = g.events
      .map((ev, e) => ({ ev, t: g.succ[s * E + e]! }))
      .filter(({ t }) => t >= 0)
      .map(({ ev, t }) => `${stringify(ev)} -> ${g.packer.describe(g.rows, t * g.width)}`)
      .sort();
    assert.deepEqual(mine, theirs, k);
    transitions += theirs.length;
  }
  assert.equal(transitions, g.transitions);
  assert.ok(g.states > 1000, `${g.states} states`);
});

function takenBy(g: Graph, paths: ReturnType<typeof cover>['paths']): Set<number> {
  const E = g.events.length;
  const taken = new Set<number>();
  for (const p of paths) {
    let s = 0;
    for (const e of coverPathEvents(g, p)) {
      assert.ok(g.succ[s * E + e]! >= 0, 'a path only takes transitions of the graph');
      taken.add(s * E + e);
      s = g.succ[s * E + e]!;
    }
  }
  return taken;
}

test('the paths take every transition of PCM(N), and XState replays each of them as recorded', () => {
  const g = explore({ input: BOUNDED_INPUT, events: BOUNDED_EVENTS, expand: withinBound(256) });
  const c = cover(g);
  assert.equal(c.covered, g.transitions);
  assert.equal(takenBy(g, c.paths).size, g.transitions);
  const machine = machineFor(1) as unknown as AnyStateMachine;
  assert.equal(replayPaths(g, machine, c.paths.slice(0, 300)), c.paths.slice(0, 300).reduce((n, p) => n + coverPathEvents(g, p).length, 0));
  assert.equal(confirm(g, machine), g.transitions);
});

test('confirm() fails on a graph whose recorded transition XState does not take', () => {
  const g = explore({ input: BOUNDED_INPUT, events: BOUNDED_EVENTS, expand: withinBound(128) });
  const E = g.events.length;
  const k = Array.from({ length: g.states * E }, (_, i) => i).find((i) => g.succ[i]! > 0 && g.succ[i] !== Math.floor(i / E))!;
  g.succ[k] = (g.succ[k]! + 1) % g.states;
  assert.throws(() => confirm(g, machineFor(1) as unknown as AnyStateMachine), /XState reached/);
});
