// Paths through the accel machine, generated with xstate/graph: the adjacency map over an
// abstraction of the context (task states and orders, not seqno values or sizes), then for each
// machine edge, each task edge and each rule, a shortest path from a fresh session that ends by
// taking it, and for each vertex a path that reaches it and looks around (POLL, TASK_STATUS).
// Replayed on the model and a backend, these cover every transition of the machines.
import { getAdjacencyMap } from 'xstate/graph';
import type { AccelEvent } from '../../spec/accel-device.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import { accelMachine, type AccelMachineInput } from '../../machines/accel/index.ts';
import { show } from './format.ts';
import { AccelModel, taskEdgeOf, type AccelSnapshot, type StreamState } from './model.ts';
import { graphEvents } from './vocabulary.ts';

export interface GeneratedPath {
  /** What the path is for: `edge:SETUP:TASK_START#4`, `task:task.ACTIVE:TASK_RESTART#0`, `rule:…`,
   * `vertex:…` (a state of the abstraction, observed); several when one path serves them all. */
  target: string;
  events: AccelEvent[];
  /** The rules its target step exercises (the path then looks around with POLL and TASK_STATUS). */
  rules: RuleId[];
}

/** The abstraction the graph is built on: two snapshots with the same key are one vertex. */
export function abstractKey(s: AccelSnapshot): string {
  const c = s.context;
  const order = c.tasks.map((t) => `${t.state[0]}${t.flags ? '+' : ''}${t.output_size > 0n ? 'o' : ''}`).join('');
  const queue = c.runQueue.map((u) => c.tasks.findIndex((t) => t.uid === u)).join('');
  const active = Math.min(c.activeTasks, c.fragments + 1);
  return `${String(s.value)}|f${c.fragments}|a${active}|${order}|q${queue}|s${c.taskSeqno === 0n ? 0 : 1}`;
}

export function generatePaths(input: AccelMachineInput): GeneratedPath[] {
  const adjacency = getAdjacencyMap(accelMachine, {
    input,
    events: (s) => graphEvents(s.value as StreamState, s.context),
    serializeState: (s) => abstractKey(s),
    serializeEvent: (e) => show(e),
  });
  // Breadth-first from the initial vertex: the shortest event sequence reaching each vertex.
  const initial = new AccelModel(input).snapshot;
  const start = abstractKey(initial);
  const reach = new Map<string, AccelEvent[]>([[start, []]]);
  const queue = [start];
  const targets = new Map<string, GeneratedPath>();
  /** Looks around after a path: POLL, and TASK_STATUS of every task, so that the states the
   * abstraction hides (task states, sizes, poll bits) are compared at the end of every path. */
  const look = (s: AccelSnapshot): AccelEvent[] => [
    { type: 'POLL' },
    ...(s.value === 'SETUP' ? s.context.tasks.map((t) => ({ type: 'TASK_STATUS', seqno: t.seqno }) as AccelEvent) : []),
  ];
  const offer = (target: string, events: AccelEvent[], rules: RuleId[]) => {
    const old = targets.get(target);
    if (!old || old.events.length > events.length) targets.set(target, { target, events, rules });
  };
  while (queue.length > 0) {
    const key = queue.shift()!;
    const v = adjacency[key as keyof typeof adjacency];
    if (!v) continue;
    const prefix = reach.get(key)!;
    for (const { event } of Object.values(v.transitions)) {
      const model = new AccelModel(input);
      model.snapshot = v.state;
      const step = model.step(event);
      const events = [...prefix, event];
      const observed = [...events, ...look(model.snapshot)];
      offer(`edge:${step.edge.key}`, observed, step.rules);
      for (const s of step.taskSteps) {
        const te = taskEdgeOf(s);
        offer(te ? `task:${te.key}` : 'task:create', observed, step.rules);
      }
      for (const r of step.rules) offer(`rule:${r}`, observed, step.rules);
      const next = abstractKey(model.snapshot);
      if (!reach.has(next)) {
        reach.set(next, events);
        queue.push(next);
      }
    }
  }
  // Every vertex, observed: a path reaching it, then POLL and TASK_STATUS of each task, so that
  // values the abstraction hides (poll bits, sizes, list order) are compared in every vertex.
  for (const [key, events] of reach) {
    const v = adjacency[key as keyof typeof adjacency];
    if (!v || v.state.value !== 'SETUP') continue;
    offer(`vertex:${key}`, [...events, ...look(v.state)], ['accel.poll.setup', 'accel.task-status.ok']);
  }
  // One path per distinct event sequence, carrying every target it serves.
  const all = [...targets.values()].sort((a, b) => a.target.localeCompare(b.target));
  const byEvents = new Map<string, GeneratedPath>();
  for (const p of all) {
    const k = show(p.events);
    const seen = byEvents.get(k);
    if (seen) seen.target += ` ${p.target}`;
    else byEvents.set(k, { ...p });
  }
  return [...byEvents.values()];
}
