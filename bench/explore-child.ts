// One exploration of PCM(N) (bench/bounded.ts) in a process of its own, so that the benchmark can
// stop it and each run starts alike: `explore-child.ts ours|xstate N [confirm]`. Both engines first
// run on PCM(min(N, 256)) again and again for at least 3 s, untimed, so that both are measured
// with their code optimised, then on PCM(N) in rounds of at least 100 ms (the median round counts).
// Prints one line of JSON.
// - ours: explore() + cover() (the path set), then confirm() (XState checks every transition);
// - xstate: xstate/graph's getShortestPaths with the same events, bound and state identity.
import { getShortestPaths } from 'xstate/graph';
import type { AnyStateMachine } from 'xstate';
import type { PcmContext } from '../machines/pcm/context.ts';
import { createPcmMachine } from '../machines/pcm/machine.ts';
import { ContextPacker } from '../conformance/pack.ts';
import { stringify } from '../conformance/codec.ts';
import { confirm, cover, explore } from '../conformance/explorer.ts';
import { BOUNDED_EVENTS, BOUNDED_INPUT, withinBound } from './bounded.ts';

export interface OursResult {
  engine: 'ours';
  n: number;
  states: number;
  expanded: number;
  transitions: number;
  exploreMs: number;
  coverMs: number;
  paths: number;
  steps: number;
  replaySteps: number;
  confirmMs: number;
  confirmed: number;
}

export interface XstateResult {
  engine: 'xstate';
  n: number;
  states: number;
  ms: number;
}

type Snap = { context: PcmContext; value: unknown };
const machine = createPcmMachine(1) as unknown as AnyStateMachine;

function ours(n: number, withConfirm: boolean): OursResult {
  let t0 = performance.now();
  const g = explore({ input: BOUNDED_INPUT, events: BOUNDED_EVENTS, expand: withinBound(n) });
  const exploreMs = performance.now() - t0;
  t0 = performance.now();
  const c = cover(g);
  const coverMs = performance.now() - t0;
  t0 = performance.now();
  const confirmed = withConfirm ? confirm(g, machine) : 0;
  const confirmMs = withConfirm ? performance.now() - t0 : 0;
  if (g.failures.length) throw new Error(`the model failed: ${g.failures[0]!.message}`);
  return {
    engine: 'ours', n, states: g.states, expanded: g.expanded, transitions: g.transitions, exploreMs, coverMs,
    paths: c.paths.length, steps: c.steps, replaySteps: c.replaySteps, confirmMs, confirmed,
  };
}

function xstate(n: number): XstateResult {
  const packer = new ContextPacker(BOUNDED_INPUT);
  const within = withinBound(n);
  const t0 = performance.now();
  const paths = getShortestPaths(machine as never, {
    input: BOUNDED_INPUT,
    events: (snap: Snap) => (within(snap.context) ? BOUNDED_EVENTS : []),
    // the explorer's state identity: the context without its constant input and last outcome
    serializeState: (snap: Snap) => packer.rowKey(snap.context),
    serializeEvent: stringify,
  } as never);
  return { engine: 'xstate', n, states: paths.length, ms: performance.now() - t0 };
}

const [engine, nArg, confirmArg] = process.argv.slice(2);
const n = Number(nArg);
if ((engine !== 'ours' && engine !== 'xstate') || !Number.isSafeInteger(n) || n < 0) {
  throw new Error(`usage: explore-child.ts ours|xstate N [confirm] (not ${process.argv.slice(2).join(' ')})`);
}
const warm = (f: () => void) => {
  const t0 = performance.now();
  do f();
  while (performance.now() - t0 < 3000);
};
/**
 * The median of up to five rounds, while they take under two seconds in all; a round runs `f` until
 * 100 ms have passed (small graphs take a millisecond, and one pause of this shared machine, or one
 * collection, would decide a single run) and counts the mean. (No forced collection between
 * rounds: after one, V8 shrinks the young generation and both engines ran up to twice slower.)
 */
function measured<T>(f: () => T, ms: (x: T) => number, scale: (x: T, k: number) => T): T {
  const rounds: T[] = [];
  const t0 = performance.now();
  do {
    let k = 0;
    let last: T;
    let sum = 0;
    const r0 = performance.now();
    do {
      last = f();
      sum += ms(last);
      k++;
    } while (performance.now() - r0 < 100);
    rounds.push(scale(last, sum / k));
  } while (rounds.length < 5 && performance.now() - t0 < 2000);
  return rounds.sort((a, b) => ms(a) - ms(b))[rounds.length >> 1]!;
}
if (engine === 'ours') {
  warm(() => ours(Math.min(n, 256), true));
  const withConfirm = confirmArg === 'confirm';
  const r = measured(
    () => ours(n, false),
    (x) => x.exploreMs + x.coverMs,
    (x, mean) => ({ ...x, exploreMs: (mean * x.exploreMs) / (x.exploreMs + x.coverMs), coverMs: (mean * x.coverMs) / (x.exploreMs + x.coverMs) }),
  );
  if (withConfirm) {
    const c = ours(n, true);
    r.confirmMs = c.confirmMs;
    r.confirmed = c.confirmed;
  }
  process.stdout.write(`${JSON.stringify(r)}\n`);
} else {
  warm(() => xstate(Math.min(n, 256)));
  process.stdout.write(`${JSON.stringify(measured(() => xstate(n), (x) => x.ms, (x, mean) => ({ ...x, ms: mean })))}\n`);
}
