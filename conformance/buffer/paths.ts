// Paths through the buffer machine: a breadth-first exploration over an abstraction of its context
// (the stable state, the card's total, the preallocation, the runtime buffer, the mappings), then
// for every edge seen — stable and transient — the shortest path that takes it, with a greedy cover
// that keeps the fewest paths taking them all; and a path to every vertex of the abstraction that
// no kept path passes through (a prealloc write of 9 KiB and one of 12 are different vertices
// though they take the same edges). Each path ends by reading `prealloc`, so the preallocation is
// observed even on a backend that shows nothing else.
import type { StreamDir } from '../../spec/abi/states.ts';
import type { BufferEvent, BufferMachineInput } from '../../machines/buffer/index.ts';
import { stringify } from '../codec.ts';
import { BufferModel, type BufferSnapshot } from './model.ts';
import { bufferEvents } from './vocabulary.ts';

export function bufferKey(s: BufferSnapshot, dir: StreamDir): string {
  const c = s.context;
  const sub = c.mem.subs[dir];
  const buf = c.buf ? `${c.buf.bytes}${c.buf.prealloc ? 'p' : 'o'}` : '-';
  return `${String(s.value)}|${c.mem.total}|${sub.preBytes}|${sub.bufferBytesMax}|${sub.devNeedSync ? 's' : ''}|${buf}|${Math.min(c.mapped, 2)}|${c.access ?? '-'}`;
}

export interface BufferPlan {
  paths: BufferEvent[][];
  states: number;
  transitions: number;
  edges: Set<string>;
  /** Every edge the exploration saw (the probe's included), and whether it saw every state. */
  reachable: Set<string>;
  complete: boolean;
}

export function planBufferPaths(input: BufferMachineInput, maxStates = 3000): BufferPlan {
  const events = bufferEvents(input.dir);
  const start = new BufferModel(input);
  const reach = new Map<string, { snap: BufferSnapshot; path: BufferEvent[] }>([[bufferKey(start.snapshot, input.dir), { snap: start.snapshot, path: [] }]]);
  const queue = [...reach.keys()];
  const candidates: { path: BufferEvent[]; edges: string[] }[] = [];
  const seen = new Set<string>();
  let transitions = 0;
  for (let head = 0; head < queue.length; head++) {
    const { snap, path } = reach.get(queue[head]!)!;
    for (const ev of events) {
      const m = new BufferModel(input);
      m.snapshot = snap;
      const step = m.step(ev);
      transitions++;
      const next = [...path, ev];
      if (step.edges.some((e) => !seen.has(e))) {
        step.edges.forEach((e) => seen.add(e));
        candidates.push({ path: next, edges: [] });
      }
      const k = bufferKey(m.snapshot, input.dir);
      if (!reach.has(k) && reach.size < maxStates) {
        reach.set(k, { snap: m.snapshot, path: next });
        queue.push(k);
      }
    }
  }
  // Credit each candidate with every edge along it, longest first, then cover greedily.
  for (const c of candidates) {
    const m = new BufferModel(input);
    c.edges = c.path.flatMap((e) => m.step(e).edges);
  }
  candidates.sort((a, b) => b.path.length - a.path.length);
  const covered = new Set<string>();
  const kept: BufferEvent[][] = [];
  for (const c of candidates) {
    if (c.edges.every((e) => covered.has(e))) continue;
    c.edges.forEach((e) => covered.add(e));
    kept.push(c.path);
  }
  // Vertices no kept path reaches on its way (by the keys of the prefixes it passes).
  const passed = new Set<string>();
  for (const p of kept) {
    const m = new BufferModel(input);
    passed.add(bufferKey(m.snapshot, input.dir));
    for (const e of p) {
      m.step(e);
      passed.add(bufferKey(m.snapshot, input.dir));
    }
  }
  const leaves = [...reach.entries()].filter(([k]) => !passed.has(k)).map(([, v]) => v.path);
  // Longest first; a path that is a prefix of one already kept adds nothing.
  const all = [...kept, ...leaves].sort((a, b) => b.length - a.length);
  const look: BufferEvent = { type: 'PROC_READ', stream: input.dir, file: 'prealloc' };
  const texts: string[] = [];
  const paths: BufferEvent[][] = [];
  for (const p of all) {
    const t = stringify(p).slice(0, -1);
    if (texts.some((x) => x.startsWith(t))) continue;
    texts.push(t);
    paths.push([...p, look]);
  }
  return { paths, states: reach.size, transitions, edges: covered, reachable: new Set([...start.probe.edges, ...seen]), complete: reach.size < maxStates };
}
