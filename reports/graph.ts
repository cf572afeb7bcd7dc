// The shape of any XState v5 machine, read from its StateNode tree: states (nested and parallel
// regions), and every transition with its event, guard, targets and edge meta
// (`meta: { rules, errno?, caps? }`). Every diagram, table and coverage overlay is drawn from this.
import type { AnyStateMachine } from 'xstate';

type Node = AnyStateMachine['root'];
type Transition = {
  eventType: string;
  target?: ReadonlyArray<Node> | undefined;
  guard?: unknown;
  reenter?: boolean;
  meta?: unknown;
  description?: string;
};

export type StateType = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

export interface GraphState {
  /** The path from the root joined with '.', e.g. 'RUNNING' or 'tasks.ACTIVE'. */
  id: string;
  /** The state's own key: the name a kernel state goes by. */
  key: string;
  path: string[];
  type: StateType;
  /** Id of the parent state; null for a child of the root. */
  parent: string | null;
  children: string[];
  /** For a compound state, the id of its initial child. */
  initial: string | null;
  description: string | null;
}

export interface GraphEdge {
  /** Position in definition order over the whole machine; also the edge's stable name. */
  index: number;
  /** Id of the state the transition is defined on ('' for the root). */
  source: string;
  /** Event type; '' for an eventless (always) transition. */
  event: string;
  /** Ids of the target states; empty when the transition has no target (the state stays). */
  targets: string[];
  /** Guard, as text: 'isPrepared', '!isMmapped', 'a && b' (from `meta.premises` when the edge
   * has them); null when there is nothing to show. */
  guard: string | null;
  /** Whether the transition has a guard at all (it may have one and show none). */
  guarded: boolean;
  reenter: boolean;
  rules: string[];
  /** The errno a refusal edge answers; null for a successful edge. */
  errno: string | null;
  caps: Record<string, unknown> | null;
  /** `meta.kind`, when the machine says what sort of edge this is ('refusal', 'effect', …). */
  kind: string | null;
  description: string | null;
}

export interface MachineGraph {
  id: string;
  /** Whether the root is a parallel state: each top-level child is then a region. */
  parallel: boolean;
  /** Top-level initial child id (compound root); null for a parallel root. */
  initial: string | null;
  /** In document order. */
  states: GraphState[];
  /** In definition order: per state in document order, its transitions in priority order.
   * Catch-all edges (`meta.kind: 'gap'`, which only report that the model has no answer) are left
   * out: they are a safety net, not behaviour. */
  edges: GraphEdge[];
  /** How many catch-all edges were left out. */
  gaps: number;
  byId: ReadonlyMap<string, GraphState>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Renders a guard as text: named guards by name, xstate's `not`/`and`/`or`/`stateIn` as expressions. */
export function guardText(guard: unknown): string | null {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const g = guard as { name?: string; guards?: unknown[]; stateValue?: unknown; check?: unknown };
    if (Array.isArray(g.guards) && typeof g.check === 'function') {
      const parts = g.guards.map((x) => {
        const t = guardText(x) ?? 'true';
        return /[ &|]/.test(t) ? `(${t})` : t;
      });
      if (g.name === 'not') return `!${parts[0] ?? 'true'}`;
      if (g.name === 'and') return parts.join(' && ');
      if (g.name === 'or') return parts.join(' || ');
    }
    if (g.stateValue !== undefined && typeof g.check === 'function') return `in(${JSON.stringify(g.stateValue)})`;
    return g.name && g.name !== 'guard' ? g.name : 'inline guard';
  }
  if (isObject(guard) && typeof guard.type === 'string') return guard.type;
  return 'guard';
}

function stateId(node: Node): string {
  return node.path.join('.');
}

const strings = (v: unknown) => (Array.isArray(v) ? v.filter((r): r is string => typeof r === 'string') : null);

function readMeta(meta: unknown): Pick<GraphEdge, 'rules' | 'errno' | 'caps' | 'kind'> & { premises: string[] | null } {
  if (!isObject(meta)) return { rules: [], errno: null, caps: null, kind: null, premises: null };
  return {
    rules: strings(meta.rules) ?? [],
    errno: typeof meta.errno === 'string' && meta.errno !== '' ? meta.errno : null,
    caps: isObject(meta.caps) ? meta.caps : null,
    kind: typeof meta.kind === 'string' ? meta.kind : null,
    // The premises a generated edge was made from say its guard better than the guard itself,
    // which may add plumbing (which file acts, which outcome the effect had).
    premises: strings(meta.premises),
  };
}

/** Reads the states and transitions of a machine. */
export function machineGraph(machine: AnyStateMachine): MachineGraph {
  const states: GraphState[] = [];
  const edges: GraphEdge[] = [];
  let gaps = 0;
  const nodes: Node[] = [];
  const walk = (node: Node) => {
    for (const child of Object.values(node.states) as Node[]) {
      nodes.push(child);
      walk(child);
    }
  };
  walk(machine.root);
  nodes.sort((a, b) => a.order - b.order);
  const root = machine.root;

  for (const node of nodes) {
    const children = (Object.values(node.states) as Node[]).map(stateId);
    let initial: string | null = null;
    if (node.type === 'compound') {
      const t = node.initial?.target?.[0];
      initial = t ? stateId(t) : null;
    }
    states.push({
      id: stateId(node),
      key: node.key,
      path: [...node.path],
      type: node.type,
      parent: node.parent && node.parent !== root ? stateId(node.parent) : null,
      children,
      initial,
      description: node.description ?? null,
    });
  }

  const addTransitions = (node: Node) => {
    const source = node === root ? '' : stateId(node);
    const lists: Transition[][] = [...(node.transitions as Map<string, Transition[]>).values()];
    if (node.always) lists.push(node.always as Transition[]);
    for (const list of lists) {
      for (const t of list) {
        const { premises, ...meta } = readMeta(t.meta);
        if (meta.kind === 'gap') {
          gaps++;
          continue;
        }
        edges.push({
          index: edges.length,
          source,
          event: t.eventType,
          targets: (t.target ?? []).map(stateId),
          guard: premises ? (premises.length ? premises.join(' && ') : null) : guardText(t.guard),
          guarded: t.guard !== undefined && t.guard !== null,
          reenter: t.reenter ?? false,
          ...meta,
          description: typeof t.description === 'string' ? t.description : null,
        });
      }
    }
  };
  addTransitions(root);
  for (const node of nodes) addTransitions(node);

  let rootInitial: string | null = null;
  if (root.type !== 'parallel') {
    const t = root.initial?.target?.[0];
    rootInitial = t ? stateId(t) : null;
  }
  return {
    id: machine.id,
    parallel: root.type === 'parallel',
    initial: rootInitial,
    states,
    edges,
    gaps,
    byId: new Map(states.map((s) => [s.id, s])),
  };
}

/** The child states of `parentId` ('' or null for the root). */
export function childrenOf(g: MachineGraph, parentId: string | null): GraphState[] {
  const p = parentId === '' ? null : parentId;
  return g.states.filter((s) => s.parent === p);
}

/** The atomic and final states at or under a state ('' for the root). */
export function leavesOf(g: MachineGraph, id: string): GraphState[] {
  if (id === '') return g.states.filter((s) => s.children.length === 0);
  const prefix = `${id}.`;
  return g.states.filter((s) => s.children.length === 0 && (s.id === id || s.id.startsWith(prefix)));
}

/** The leaves a transition into state `id` enters: compound states through their initial child,
 * parallel states in every region. */
export function enteredLeaves(g: MachineGraph, id: string): GraphState[] {
  const s = g.byId.get(id);
  if (!s) return [];
  if (s.type === 'parallel') return s.children.flatMap((c) => enteredLeaves(g, c));
  if (s.type === 'compound' && s.initial) return enteredLeaves(g, s.initial);
  if (s.children.length) return enteredLeaves(g, s.children[0]!);
  return [s];
}

/** The initial leaves of the machine (one per region for a parallel root). */
export function initialLeaves(g: MachineGraph): GraphState[] {
  if (g.parallel) return childrenOf(g, null).flatMap((r) => enteredLeaves(g, r.id));
  return g.initial ? enteredLeaves(g, g.initial) : [];
}

/** The top-level region a state lies in: its first path element for a parallel root, else ''. */
export function regionOf(g: MachineGraph, id: string): string {
  return g.parallel ? (id.split('.')[0] ?? '') : '';
}

/** Whether `id` is `ancestor` or lies under it ('' is the root, the ancestor of everything). */
export function isWithin(id: string, ancestor: string): boolean {
  return ancestor === '' || id === ancestor || id.startsWith(`${ancestor}.`);
}

/** Whether the edge leaves the state where it stands: false for targetless transitions and for
 * transitions back to their own source. */
export function changesState(e: GraphEdge): boolean {
  return e.targets.length > 0 && !(e.targets.length === 1 && e.targets[0] === e.source);
}

/** How an edge reads in tables and tooltips: `DRAIN [isPlayback]`. */
export function edgeEventText(e: GraphEdge): string {
  const ev = e.event === '' ? '(always)' : e.event;
  return e.guard ? `${ev} [${e.guard}]` : ev;
}
