// Breadth-first exploration of a machine over an event generator, identifying states by a key.
// The same traversal as xstate/graph's getAdjacencyMap (test/conformance/traverse.test.ts checks
// that both build the same adjacency), with a head index instead of Array#shift and de-duplication
// before enqueueing, so it stays linear in the transitions explored.
import { createActor, initialTransition, type AnyStateMachine, type EventObject } from 'xstate';

export interface Node<S, E> {
  snapshot: S;
  edges: { event: E; to: string }[];
}

export interface Traversal<S, E> {
  nodes: Map<string, Node<S, E>>;
  /** Keys in breadth-first order; the first is the initial state. */
  order: string[];
  /** Parent links of the breadth-first tree (shortest paths). */
  parent: Map<string, { from: string; event: E } | null>;
  transitions: number;
  /** True when `maxStates` stopped the exploration early. */
  truncated: boolean;
  /** Transitions the machine could not take (a model error), with the error. */
  failures: { from: string; event: E; error: Error }[];
}

export interface TraverseOptions<S, E> {
  /** Events whose targets are explored further. */
  expand: (snapshot: S) => readonly E[];
  /** Further events tried once from every explored state, whose targets are not explored. */
  probe?: (snapshot: S) => readonly E[];
  key: (snapshot: S) => string;
  maxStates?: number;
  maxDepth?: number;
  /** The transition function (default: the machine's own, pureStep) and its initial snapshot. */
  step?: (snapshot: S, event: E) => S;
  initial?: S;
  /** Called for every transition taken, in the order of the adjacency lists. */
  onEdge?: (from: string, event: E, to: S) => void;
  /** Keep each node's transitions in `edges` (default true). Without them a probed target needs
   * no key, and the keys of a large traversal no longer fill the heap. */
  recordEdges?: boolean;
}

export function traverse<S extends { status: string }, E extends EventObject>(
  machine: AnyStateMachine,
  input: unknown,
  opts: TraverseOptions<S, E>,
): Traversal<S, E> {
  const { expand, probe, key, maxStates = Infinity, maxDepth = Infinity, onEdge, recordEdges = true } = opts;
  const initial = opts.initial ?? (initialTransition(machine, input) as unknown as [S])[0];
  const step = opts.step ?? pureStep<S, E>(machine, input);
  const k0 = key(initial);
  const nodes = new Map<string, Node<S, E>>([[k0, { snapshot: initial, edges: [] }]]);
  const parent = new Map<string, { from: string; event: E } | null>([[k0, null]]);
  const order = [k0];
  const depth = new Map<string, number>([[k0, 0]]);
  let transitions = 0;
  let truncated = false;
  const failures: { from: string; event: E; error: Error }[] = [];
  for (let head = 0; head < order.length; head++) {
    const k = order[head]!;
    const node = nodes.get(k)!;
    if (node.snapshot.status !== 'active') continue;
    const deep = depth.get(k)! >= maxDepth;
    const expanding = deep ? [] : expand(node.snapshot);
    const tried = new Set<E>(expanding);
    const probing = (probe?.(node.snapshot) ?? []).filter((e) => !tried.has(e));
    for (const [event, explore] of [...expanding.map((e) => [e, true] as const), ...probing.map((e) => [e, false] as const)]) {
      let next: S;
      try {
        next = step(node.snapshot, event);
      } catch (error) {
        failures.push({ from: k, event, error: error as Error });
        continue;
      }
      transitions++;
      onEdge?.(k, event, next);
      if (!explore && !recordEdges) continue;
      const nk = key(next);
      if (recordEdges) node.edges.push({ event, to: nk });
      if (!explore || nodes.has(nk)) continue;
      if (nodes.size >= maxStates) {
        truncated = true;
        continue;
      }
      nodes.set(nk, { snapshot: next, edges: [] });
      parent.set(nk, { from: k, event });
      depth.set(nk, depth.get(k)! + 1);
      order.push(nk);
    }
  }
  return { nodes, order, parent, transitions, truncated, failures };
}

/** The events of the breadth-first tree from the initial state to `key`. */
export function pathTo<E>(t: Traversal<unknown, E>, key: string): E[] {
  const out: E[] = [];
  for (let p = t.parent.get(key); p; p = t.parent.get(p.from)) out.push(p.event);
  return out.reverse();
}

/**
 * machine.transition() with one inert actor scope for the whole traversal: xstate's own
 * transition() builds a new actor (and runs the context factory) on every call. Custom actions run
 * as they are met, so a model gap throws here as it would in a live actor.
 */
export function pureStep<S, E>(machine: AnyStateMachine, input: unknown): (snapshot: S, event: E) => S {
  const self = createActor(machine, { input } as never);
  const scope = {
    self,
    defer: () => {},
    id: '',
    logger: () => {},
    sessionId: '',
    stopChild: () => {},
    system: self.system,
    emit: () => {},
    actionExecutor: (a: { exec?: (info: unknown, params: unknown) => void; info: unknown; params: unknown }) => a.exec?.(a.info, a.params),
  };
  return (snapshot, event) => machine.transition(snapshot as never, event as never, scope as never) as S;
}
