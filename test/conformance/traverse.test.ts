import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnyStateMachine } from 'xstate';
import { getAdjacencyMap } from 'xstate/graph';
import type { Command } from '../../spec/device.ts';
import type { PcmContext } from '../../machines/pcm/context.ts';
import { regionsOf } from '../../machines/pcm/machine.ts';
import { abstractKey } from '../../conformance/explore.ts';
import { stringify } from '../../conformance/codec.ts';
import { machineFor } from '../../conformance/model.ts';
import { traverse } from '../../conformance/traverse.ts';
import { pathEvents } from '../../conformance/generators.ts';
import { initialContext } from '../../machines/pcm/context.ts';
import { decide } from '../../machines/pcm/decide.ts';
import { DEFAULT_CAPS } from '../../reference/ring-core/index.ts';

type Snap = { context: PcmContext; value: unknown; status: string };
const input = { caps: { PLAYBACK: DEFAULT_CAPS, CAPTURE: DEFAULT_CAPS }, kernel: '7.2' as const, files: 1 as const };
const hw = { access: 'RW_INTERLEAVED', format: 'S16_LE', channels: 2, rate: 48000, period_size: 16, periods: 2 } as const;
// A small closed world, so that both traversals finish.
const events = (snap: Snap): Command[] =>
  snap.context.streams[0]!.state === 'CLOSED'
    ? [{ type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true }]
    : [
        { type: 'HW_PARAMS', fd: 0, params: hw }, { type: 'PREPARE', fd: 0 }, { type: 'START', fd: 0 },
        { type: 'WRITEI', fd: 0, frames: 16 }, { type: 'ADVANCE', fd: 0, frames: 8 }, { type: 'PAUSE', fd: 0, push: true },
        { type: 'PAUSE', fd: 0, push: false }, { type: 'DROP', fd: 0 }, { type: 'CLOSE', fd: 0 },
      ];
const key = (snap: Snap) => abstractKey(snap.context, regionsOf(snap));

test('the linear traversal finds the same states and transitions as xstate/graph getAdjacencyMap', () => {
  const machine = machineFor(1) as unknown as AnyStateMachine;
  const ours = traverse<Snap, Command>(machine, input, { expand: events, key });
  const theirs = getAdjacencyMap(machine as never, { input, events: events as never, serializeState: key as never, serializeEvent: stringify as never }) as unknown as Record<
    string,
    { transitions: Record<string, { state: Snap }> }
  >;
  assert.deepEqual(new Set(ours.nodes.keys()), new Set(Object.keys(theirs)));
  for (const [k, node] of ours.nodes) {
    const mine = node.edges.map((e) => `${stringify(e.event)} -> ${e.to}`).sort();
    const ref = Object.entries(theirs[k]!.transitions).map(([ev, t]) => `${ev} -> ${key(t.state)}`).sort();
    assert.deepEqual(mine, ref, k);
  }
  assert.ok(ours.nodes.size > 20, `${ours.nodes.size} states`);
});

test('a traversal over decide() finds the same states and transitions, in the same order, as over the XState machine', () => {
  const machine = machineFor(2) as unknown as AnyStateMachine;
  const caps = { PLAYBACK: DEFAULT_CAPS, CAPTURE: DEFAULT_CAPS };
  const input2 = { caps, kernel: '7.2' as const, files: 2 as const };
  const evs = (snap: Snap) => pathEvents(snap.context, caps).filter((c) => c.type !== 'MMAP' && c.type !== 'MUNMAP');
  const opts = { expand: evs, key, maxStates: 600 };
  const viaXstate = traverse<Snap, Command>(machine, input2, opts);
  const ctx0 = initialContext(input2);
  const viaDecide = traverse<Snap, Command>(machine, input2, {
    ...opts,
    initial: { context: ctx0, value: { fd0: 'CLOSED', fd1: 'CLOSED' }, status: 'active' },
    step: (s, e) => {
      const next = decide(s.context, e).next;
      return { context: next, value: { fd0: next.streams[0]!.state, fd1: next.streams[1]!.state }, status: 'active' };
    },
  });
  assert.deepEqual(viaDecide.order, viaXstate.order);
  for (const [k, node] of viaXstate.nodes) {
    assert.deepEqual(viaDecide.nodes.get(k)!.edges.map((e) => e.to), node.edges.map((e) => e.to), k);
  }
  assert.equal(viaDecide.failures.length, viaXstate.failures.length);
  assert.ok(viaXstate.transitions > 10_000, `${viaXstate.transitions} transitions`);
});
