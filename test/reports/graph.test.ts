import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMachine } from 'xstate';
import { changesState, enteredLeaves, guardText, initialLeaves, leavesOf, machineGraph } from '../../reports/graph.ts';
import { miniPcm, nestedFixture, parallelFixture } from './fixtures/machines.ts';

test('a flat machine reads as its states in document order and its edges in priority order', () => {
  const g = machineGraph(miniPcm);
  assert.equal(g.id, 'mini-pcm');
  assert.equal(g.parallel, false);
  assert.equal(g.initial, 'OPEN');
  assert.deepEqual(g.states.map((s) => s.id), ['OPEN', 'SETUP', 'PREPARED', 'RUNNING', 'PAUSED', 'DRAINING', 'XRUN']);
  const hwFree = g.edges.filter((e) => e.source === 'SETUP' && e.event === 'HW_FREE');
  assert.deepEqual(
    hwFree.map((e) => [e.guard, e.targets, e.errno, e.rules]),
    [
      ['isMmapped', [], 'EBADFD', ['pcm.hw-free.mmapped']],
      [null, ['OPEN'], null, ['pcm.hw-free.ok']],
    ],
  );
  assert.deepEqual(g.edges.find((e) => e.event === 'START' && e.source === 'PREPARED')!.caps, { trigger: 'START' });
  assert.deepEqual(g.edges.map((e) => e.index), g.edges.map((_, i) => i));
});

test('a self-target and a targetless transition both leave the state where it is', () => {
  const g = machineGraph(miniPcm);
  const setupHwParams = g.edges.find((e) => e.source === 'SETUP' && e.event === 'HW_PARAMS')!;
  assert.deepEqual(setupHwParams.targets, ['SETUP']);
  assert.equal(changesState(setupHwParams), false);
  assert.equal(changesState(g.edges.find((e) => e.source === 'OPEN' && e.event === 'START')!), false);
  assert.equal(changesState(g.edges.find((e) => e.source === 'OPEN' && e.event === 'HW_PARAMS')!), true);
});

test('a parallel machine reads as regions whose leaves carry the region in their id', () => {
  const g = machineGraph(parallelFixture);
  assert.equal(g.parallel, true);
  assert.equal(g.initial, null);
  assert.deepEqual(initialLeaves(g).map((s) => s.id), ['stream.OPEN', 'tasks.IDLE']);
  assert.deepEqual(leavesOf(g, 'tasks').map((s) => s.key), ['IDLE', 'ACTIVE', 'FINISHED']);
  const refusal = g.edges.find((e) => e.source === 'tasks.FINISHED' && e.errno === 'EINVAL')!;
  assert.equal(refusal.guard, 'isFinished');
  assert.deepEqual(refusal.targets, []);
});

test('nested states: a compound target enters its initial child; guards render as expressions', () => {
  const g = machineGraph(nestedFixture);
  assert.deepEqual(enteredLeaves(g, 'active').map((s) => s.id), ['active.slow']);
  assert.equal(g.byId.get('gone')!.type, 'final');
  assert.equal(g.edges.find((e) => e.source === 'idle')!.guard, 'ready && !linked');
  // the machine's own transitions come first, with the root ('') as their source
  assert.deepEqual(g.edges.slice(0, 2).map((e) => [e.source, e.event, e.targets]), [['', 'RESET', ['idle']], ['', 'PING', []]]);
  assert.equal(g.byId.get('active.slow')!.parent, 'active');
});

test('guard text covers named, parameterised, inline and stateIn guards', () => {
  assert.equal(guardText(undefined), null);
  assert.equal(guardText('isPrepared'), 'isPrepared');
  assert.equal(guardText({ type: 'isPush', params: { x: 1 } }), 'isPush');
  assert.equal(guardText(function hasFrames() { return true; }), 'hasFrames');
  assert.equal(guardText(() => true), 'inline guard');
});

test("a generated edge's meta.premises is its guard text; catch-all 'gap' edges are left out", () => {
  const m = createMachine({
    id: 'gen',
    initial: 'A',
    states: {
      A: {
        on: {
          GO: [
            { guard: 'isActorAndEndsIn', target: 'B', meta: { rules: ['x.go.ok'], errno: null, premises: ['isLinked', '!isMmapped'], kind: 'effect' } },
            { guard: 'isActorAndEndsIn', meta: { rules: ['x.go.ok'], errno: 'EPIPE', premises: [], kind: 'effect' } },
            { guard: 'isActor', meta: { rules: [], errno: null, premises: [], kind: 'gap' } },
          ],
        },
      },
      B: {},
    },
  });
  const g = machineGraph(m);
  assert.equal(g.gaps, 1);
  assert.deepEqual(g.edges.map((e) => [e.guard, e.guarded, e.kind]), [
    ['isLinked && !isMmapped', true, 'effect'],
    [null, true, 'effect'],
  ]);
});
