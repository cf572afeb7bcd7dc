// Fast exploration of the PCM machine: a breadth-first search over the pure transition function
// (decide(), the same op tables and effects the XState machine is generated from; a refusal is
// recognised from the tables without running decide(): the state stays) with states
// stored as integer rows (pack.ts) in an open-addressing table; then a set of paths that together
// take every transition explored (a greedy transition tour); then XState replays every path and
// must reach, step by step, the very states the search recorded (confirm).
//
// test/conformance/explorer.test.ts checks that decide() and the XState machine agree on random
// walks, that this search finds the states and transitions xstate/graph's traversal finds, and
// that the paths cover every transition.
import { initialTransition, type AnyStateMachine } from 'xstate';
import type { Command } from '../spec/device.ts';
import { initialContext, type PcmContext, type PcmInput } from '../machines/pcm/context.ts';
import { decide, edgesFor, peerRefusal } from '../machines/pcm/decide.ts';
import { applies } from '../machines/pcm/edges.ts';
import { OPS } from '../machines/pcm/ops/index.ts';
import { regionsOf } from '../machines/pcm/machine.ts';
import { ContextPacker } from './pack.ts';
import { pureStep } from './traverse.ts';

export interface ExploreInput {
  input: PcmInput & { files: 1 | 2 };
  /** The events tried in every explored state, in this order. */
  events: readonly Command[];
  /** Whether a state's transitions belong to the graph; a state that is reached but not expanded
   * is a leaf. Default: every state. */
  expand?: (ctx: PcmContext) => boolean;
  /** Stop adding states beyond this many (the graph is then truncated). */
  maxStates?: number;
}

/** The explored graph. State 0 is the initial state; ids are in breadth-first order. */
export interface Graph {
  input: PcmInput & { files: 1 | 2 };
  packer: ContextPacker;
  events: readonly Command[];
  width: number;
  /** States found (expanded or not). */
  states: number;
  /** States whose transitions were explored. */
  expanded: number;
  transitions: number;
  /** Row of state s: rows[s·width … (s+1)·width). */
  rows: Int32Array;
  /** succ[s·E + e]: the state event e leads to from s; NOT_EXPANDED for leaves, FAILED when the
   * model threw (a gap in its tables), BEYOND when maxStates kept the target out. */
  succ: Int32Array;
  /** The breadth-first tree: how each state was first reached. */
  parent: Int32Array;
  parentEvent: Int32Array;
  truncated: boolean;
  failures: { state: number; event: number; message: string }[];
}

export const NOT_EXPANDED = -1;
export const FAILED = -2;
export const BEYOND = -3;

function hashRow(row: Int32Array, at: number, width: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < width; i++) h = Math.imul(h ^ row[at + i]!, 0x01000193);
  h ^= h >>> 16;
  return Math.imul(h, 0x45d9f3b) ^ (h >>> 13);
}

/** A growable store of rows with an open-addressing index. */
class StateTable {
  rows: Int32Array;
  private index: Int32Array; // slot → id + 1 (0: empty)
  count = 0;

  constructor(readonly width: number) {
    this.rows = new Int32Array(width * 64); // both grow by doubling
    this.index = new Int32Array(128);
  }

  private same(a: Int32Array, id: number): boolean {
    const w = this.width;
    const rows = this.rows;
    const at = id * w;
    for (let i = 0; i < w; i++) if (rows[at + i] !== a[i]) return false;
    return true;
  }

  /** The id of `row`: added if new and `room` allows, else -1. */
  intern(row: Int32Array, room: boolean): { id: number; added: boolean } {
    const mask = this.index.length - 1;
    for (let slot = hashRow(row, 0, this.width) & mask; ; slot = (slot + 1) & mask) {
      const v = this.index[slot]!;
      if (v === 0) {
        if (!room) return { id: -1, added: false };
        const id = this.count++;
        if ((id + 1) * this.width > this.rows.length) {
          const more = new Int32Array(this.rows.length * 2);
          more.set(this.rows);
          this.rows = more;
        }
        this.rows.set(row, id * this.width);
        this.index[slot] = id + 1;
        if (this.count * 2 > this.index.length) this.rehash();
        return { id, added: true };
      }
      if (this.same(row, v - 1)) return { id: v - 1, added: false };
    }
  }

  private rehash(): void {
    const index = new Int32Array(this.index.length * 2);
    const mask = index.length - 1;
    for (let id = 0; id < this.count; id++) {
      let slot = hashRow(this.rows, id * this.width, this.width) & mask;
      while (index[slot] !== 0) slot = (slot + 1) & mask;
      index[slot] = id + 1;
    }
    this.index = index;
  }
}

class Growable {
  a: Int32Array;
  constructor(n: number, private readonly fill: number) {
    this.a = new Int32Array(n).fill(fill);
  }
  ensure(n: number): void {
    if (n <= this.a.length) return;
    let len = this.a.length;
    while (len < n) len *= 2;
    const b = new Int32Array(len).fill(this.fill);
    b.set(this.a);
    this.a = b;
  }
}

/**
 * Whether decide() would take a refusal for `ev` — an edge that runs no effect, so the next state
 * is this one (only the last outcome differs, and it is not part of a state). The same walk over
 * the same edge tables as decide()'s choose(), stopping where it would run an effect; false
 * whenever in doubt (card-wide events, a descriptor out of range), and decide() answers.
 */
function refuses(ctx: PcmContext, ev: Command): boolean {
  const op = OPS[ev.type];
  if (op.cardWide) return false;
  const i = (ev as { fd: number }).fd;
  const s = ctx.streams[i];
  if (!s) return false;
  if (ev.type === 'LINK' && (ev.other < 0 || ev.other >= ctx.streams.length)) return false; // decide() throws
  for (const e of edgesFor(op, ctx.files, s.state)) {
    if (e.peer) {
      if (peerRefusal(op, ctx, i, ev)) return true;
      continue;
    }
    if (!applies(e, ctx, i, ev)) continue;
    return !e.run;
  }
  return false;
}

/** Breadth-first search over decide() from the initial context. */
export function explore(o: ExploreInput): Graph {
  const packer = new ContextPacker(o.input);
  const width = packer.width;
  const E = o.events.length;
  const table = new StateTable(width);
  const succ = new Growable(64 * E, NOT_EXPANDED);
  const parent = new Growable(64, -1);
  const parentEvent = new Growable(64, -1);
  const scratch = new Int32Array(width);
  const maxStates = o.maxStates ?? Infinity;
  const failures: Graph['failures'] = [];
  let truncated = false;
  let transitions = 0;
  let expanded = 0;
  packer.pack(initialContext(o.input), scratch);
  table.intern(scratch, true);
  for (let s = 0; s < table.count; s++) {
    const ctx = packer.unpack(table.rows, s * width);
    if (o.expand && !o.expand(ctx)) continue;
    expanded++;
    succ.ensure((s + 1) * E);
    for (let e = 0; e < E; e++) {
      if (refuses(ctx, o.events[e]!)) {
        transitions++;
        succ.a[s * E + e] = s;
        continue;
      }
      let next: PcmContext;
      try {
        next = decide(ctx, o.events[e]!).next;
      } catch (err) {
        succ.a[s * E + e] = FAILED;
        failures.push({ state: s, event: e, message: (err as Error).message });
        continue;
      }
      transitions++;
      packer.pack(next, scratch);
      const { id, added } = table.intern(scratch, table.count < maxStates);
      if (id < 0) {
        truncated = true;
        succ.a[s * E + e] = BEYOND;
        continue;
      }
      succ.a[s * E + e] = id;
      if (added) {
        parent.ensure(table.count);
        parentEvent.ensure(table.count);
        parent.a[id] = s;
        parentEvent.a[id] = e;
      }
    }
  }
  succ.ensure(table.count * E);
  parent.ensure(table.count);
  parentEvent.ensure(table.count);
  return {
    input: o.input,
    packer,
    events: o.events,
    width,
    states: table.count,
    expanded,
    transitions,
    rows: table.rows,
    succ: succ.a,
    parent: parent.a,
    parentEvent: parentEvent.a,
    truncated,
    failures,
  };
}

/** The events of the breadth-first tree from the initial state to `s`. */
export function treePath(g: Graph, s: number): number[] {
  const out: number[] = [];
  for (let x = s; g.parent[x]! >= 0; x = g.parent[x]!) out.push(g.parentEvent[x]!);
  return out.reverse();
}

/** A path from the initial state: along the breadth-first tree to `start`, then `events`. */
export interface Path {
  start: number;
  events: number[];
}

export interface Cover {
  paths: Path[];
  /** Steps after the tree prefixes (each transition once, plus the routes between trails). */
  steps: number;
  /** Steps of all paths replayed from the initial state, tree prefixes included. */
  replaySteps: number;
  /** Transitions the paths take (every transition of the graph that did not fail). */
  covered: number;
}

/** A path's events from the initial state. */
export const pathEvents = (g: Graph, p: Path): number[] => (p.start === 0 ? p.events : [...treePath(g, p.start), ...p.events]);

const depthOf = (g: Graph, s: number): number => {
  let d = 0;
  for (let x = s; g.parent[x]! >= 0; x = g.parent[x]!) d++;
  return d;
};

/**
 * Paths that together take every transition of `g`, each from the initial state. The transitions
 * form a directed multigraph; the fewest trails that take each exactly once start at the states
 * with more outgoing than incoming transitions, one per surplus (an Euler circuit of the graph
 * balanced by a virtual state X with an edge X → s per surplus of s and t → X per deficit of t,
 * found by Hierholzer's algorithm and cut at X; cycles X cannot reach become trails of their own).
 * A path runs a trail, then goes on from its end to the nearest start of a trail not yet run, and
 * so on; when none is near, the next path starts along the breadth-first tree. Paths share their
 * tree prefixes (a path is its start state and the events after it), so the set stays linear in
 * the transitions even where replaying every path from the initial state would not be.
 */
export function cover(g: Graph, reach = 16): Cover {
  const E = g.events.length;
  const S = g.states;
  const succ = g.succ;
  const X = S;
  // surplus (out − in) of every state over the transitions that exist
  const balance = new Int32Array(S);
  let covered = 0;
  for (let s = 0; s < S; s++) {
    for (let e = 0; e < E; e++) {
      const t = succ[s * E + e]!;
      if (t < 0) continue;
      covered++;
      balance[s]!++;
      balance[t]!--;
    }
  }
  const starts: number[] = [];
  const toX = new Int32Array(S); // t → X edges left at t (its deficit)
  for (let s = 0; s < S; s++) {
    for (let k = 0; k < balance[s]!; k++) starts.push(s);
    if (balance[s]! < 0) toX[s] = -balance[s]!;
  }
  const next = new Int32Array(S); // the next event of s to try
  let nextStart = 0;
  /** Takes an untaken edge out of v: its target and event (E: the edge to X; -1: from X), or null. */
  const takeFrom = (v: number): { to: number; e: number } | null => {
    if (v === X) return nextStart < starts.length ? { to: starts[nextStart++]!, e: -1 } : null;
    for (let e = next[v]!; e < E; e++) {
      const t = succ[v * E + e]!;
      if (t >= 0) {
        next[v] = e + 1;
        return { to: t, e };
      }
    }
    next[v] = E;
    if (toX[v]! > 0) {
      toX[v]!--;
      return { to: X, e: E };
    }
    return null;
  };
  /** Hierholzer from `root`: the circuit's (vertex, event into it) pairs, in order. */
  const circuit = (root: number): { v: Int32Array; e: Int32Array; n: number } => {
    let cap = 1024;
    let sv = new Int32Array(cap);
    let se = new Int32Array(cap);
    sv[0] = root;
    se[0] = -1;
    let top = 1;
    const outV: number[] = [];
    const outE: number[] = [];
    while (top > 0) {
      const v = sv[top - 1]!;
      const step = takeFrom(v);
      if (step) {
        if (top === cap) {
          cap *= 2;
          const nv = new Int32Array(cap);
          nv.set(sv);
          sv = nv;
          const ne = new Int32Array(cap);
          ne.set(se);
          se = ne;
        }
        sv[top] = step.to;
        se[top] = step.e;
        top++;
      } else {
        top--;
        outV.push(v);
        outE.push(se[top]!);
      }
    }
    outV.reverse();
    outE.reverse();
    return { v: Int32Array.from(outV), e: Int32Array.from(outE), n: outV.length };
  };
  const trails: { start: number; events: number[] }[] = [];
  const cut = (c: { v: Int32Array; e: Int32Array; n: number }) => {
    let cur: { start: number; events: number[] } | null = null;
    for (let k = 0; k < c.n; k++) {
      const v = c.v[k]!;
      const e = c.e[k]!;
      if (v === X) {
        if (cur && cur.events.length) trails.push(cur);
        cur = null;
        continue;
      }
      if (!cur) cur = { start: v, events: [] }; // X → v (or a cycle's root): no event into it
      else cur.events.push(e);
    }
    if (cur && cur.events.length) trails.push(cur);
  };
  const untaken = (v: number): boolean => {
    for (let e = next[v]!; e < E; e++) if (succ[v * E + e]! >= 0) return true;
    return false;
  };
  if (starts.length) cut(circuit(X));
  for (let s = 0; s < S; s++) if (untaken(s)) cut(circuit(s)); // balanced parts X does not reach
  // Chain the trails: from where one ends, go to the nearest start of a trail not yet run (a
  // breadth-first search over all transitions, of at most `reach` states); when none is that
  // near, begin a new path along the breadth-first tree to the first trail left.
  const byStart = new Map<number, number[]>();
  trails.forEach((t, k) => {
    const list = byStart.get(t.start);
    if (list) list.push(k);
    else byStart.set(t.start, [k]);
  });
  const done = new Uint8Array(trails.length);
  const stamp = new Int32Array(S);
  const via = new Int32Array(S);
  const viaEvent = new Int32Array(S);
  const queue = new Int32Array(Math.min(S, reach) + 1);
  let gen = 0;
  const pending = (s: number): number => {
    const list = byStart.get(s);
    if (!list) return -1;
    while (list.length && done[list[list.length - 1]!]) list.pop();
    return list.length ? list[list.length - 1]! : -1;
  };
  const nearest = (from: number): { route: number[]; trail: number } | null => {
    gen++;
    let head = 0;
    let tail = 0;
    queue[tail++] = from;
    stamp[from] = gen;
    while (head < tail) {
      const x = queue[head++]!;
      for (let e = 0; e < E; e++) {
        const y = succ[x * E + e]!;
        if (y < 0 || stamp[y] === gen) continue;
        stamp[y] = gen;
        via[y] = x;
        viaEvent[y] = e;
        const trail = pending(y);
        if (trail >= 0) {
          const route: number[] = [];
          for (let z = y; z !== from; z = via[z]!) route.push(viaEvent[z]!);
          return { route: route.reverse(), trail };
        }
        if (tail < queue.length) queue[tail++] = y;
      }
    }
    return null;
  };
  const end = (t: { start: number; events: number[] }): number => {
    let x = t.start;
    for (const e of t.events) x = succ[x * E + e]!;
    return x;
  };
  const paths: Path[] = [];
  let steps = 0;
  let replaySteps = 0;
  let first = 0;
  for (;;) {
    while (first < trails.length && done[first]) first++;
    if (first === trails.length) break;
    let k = pending(0) >= 0 ? pending(0) : first;
    const path: Path = { start: trails[k]!.start, events: [] };
    for (;;) {
      done[k] = 1;
      for (const e of trails[k]!.events) path.events.push(e);
      const next = nearest(end(trails[k]!));
      if (!next) break;
      for (const e of next.route) path.events.push(e);
      k = next.trail;
    }
    paths.push(path);
    steps += path.events.length;
    replaySteps += path.events.length + depthOf(g, path.start);
  }
  return { paths, steps, replaySteps, covered };
}

type Snap = { context: PcmContext; value: unknown; status: string };

/** The machine's state value for a context: each file's region is its stream's state. */
function valueOf(ctx: PcmContext): unknown {
  return ctx.files === 1 ? ctx.streams[0]!.state : { fd0: ctx.streams[0]!.state, fd1: ctx.streams[1]!.state };
}

function check(g: Graph, snap: Snap, s: number, row: Int32Array, where: () => string): void {
  if (snap.status !== 'active') throw new Error(`${where()}: the machine is ${snap.status}`);
  g.packer.pack(snap.context, row);
  const at = s * g.width;
  for (let i = 0; i < g.width; i++) {
    if (row[i] !== g.rows[at + i]) {
      throw new Error(`${where()}: XState reached ${g.packer.describe(row)}, the search recorded ${g.packer.describe(g.rows, at)}`);
    }
  }
  regionsOf(snap).forEach((r, j) => {
    if (r !== snap.context.streams[j]!.state) throw new Error(`${where()}: region ${j} is ${r}, its context says ${snap.context.streams[j]!.state}`);
  });
}

/**
 * Confirms every transition of `g` on the XState machine: from each expanded state (an XState
 * snapshot resolved from its context), each event must lead, by machine.transition(), to the state
 * the search recorded — the same regions and context. Every path of a cover is made of these
 * transitions from the initial state (checked too), so each replays on XState as recorded.
 * Returns the transitions confirmed; throws at the first disagreement.
 */
export function confirm(g: Graph, machine: AnyStateMachine): number {
  const step = pureStep<Snap, Command>(machine, g.input);
  const [initial] = initialTransition(machine, g.input) as unknown as [Snap];
  const E = g.events.length;
  const row = new Int32Array(g.width);
  check(g, initial, 0, row, () => 'the initial state');
  const m = machine as unknown as { resolveState(c: { value: unknown; context: PcmContext }): Snap };
  let n = 0;
  for (let s = 0; s < g.states; s++) {
    if (g.succ[s * E]! === NOT_EXPANDED) continue;
    const ctx = g.packer.unpack(g.rows, s * g.width);
    const from = m.resolveState({ value: valueOf(ctx), context: ctx });
    for (let e = 0; e < E; e++) {
      const t = g.succ[s * E + e]!;
      if (t < 0) continue;
      check(g, step(from, g.events[e]!), t, row, () => `state ${s} event ${e}`);
      n++;
    }
  }
  return n;
}

/** Replays paths on the XState machine from its initial state, checking every step (as confirm()
 * does for single transitions). Returns the steps replayed. */
export function replayPaths(g: Graph, machine: AnyStateMachine, paths: readonly Path[]): number {
  const step = pureStep<Snap, Command>(machine, g.input);
  const [initial] = initialTransition(machine, g.input) as unknown as [Snap];
  const E = g.events.length;
  const row = new Int32Array(g.width);
  let steps = 0;
  paths.forEach((p, k) => {
    let snap = initial;
    let s = 0;
    pathEvents(g, p).forEach((e, i) => {
      snap = step(snap, g.events[e]!);
      s = g.succ[s * E + e]!;
      steps++;
      check(g, snap, s, row, () => `path ${k} step ${i}`);
    });
  });
  return steps;
}
