// Which edges of a machine a run exercised, failed or never reached: the coverage overlay the
// report draws on the diagrams and lists on the rule pages.
import { enteredLeaves, leavesOf, regionOf, type GraphState, type MachineGraph } from './graph.ts';
import { parseTransitionKey, stepFailed, type MachineCoverage, type Results } from './results.ts';

export const EDGE_STATUSES = ['exercised', 'failed', 'unreached', 'unsupported'] as const;
export type EdgeStatus = (typeof EDGE_STATUSES)[number];

export interface Overlay {
  /** Status of each edge, by edge index. */
  edges: EdgeStatus[];
  /** Times each edge was taken, by edge index. */
  counts: number[];
  /** Visits per state id. */
  states: Map<string, number>;
  /** Coverage keys of this machine's section that name no edge (a naming mismatch, or an edge the
   * machine lost). */
  unmatched: string[];
  /** Whether the run had any coverage for this machine at all. */
  covered: boolean;
}

const names = (s: GraphState) => (s.key === s.id ? [s.key] : [s.key, s.id]);
const k3 = (from: string, event: string, to: string) => `${from}\u0000${event}\u0000${to}`;

/** The (from, event, to) triples an edge can show up as in a coverage section, by leaf name. */
function edgeKeys(g: MachineGraph): Map<string, number[]> {
  const index = new Map<string, number[]>();
  const add = (key: string, i: number) => {
    const list = index.get(key);
    if (!list) index.set(key, [i]);
    else if (!list.includes(i)) list.push(i);
  };
  for (const e of g.edges) {
    for (const from of leavesOf(g, e.source)) {
      if (from.type === 'final' && from.parent === null) continue; // the machine is done there
      let tos: GraphState[];
      if (e.targets.length === 0) tos = [from];
      else {
        const entered = e.targets.flatMap((t) => enteredLeaves(g, t));
        const same = entered.filter((t) => regionOf(g, t.id) === regionOf(g, from.id));
        tos = same.length ? same : entered;
      }
      for (const to of tos) for (const f of names(from)) for (const t of names(to)) add(k3(f, e.event, t), e.index);
    }
  }
  return index;
}

/** The coverage section of a run that belongs to machine `id`, or null when the run has none. */
export function coverageFor(r: Results, id: string): MachineCoverage | null {
  const section = r.coverage.machines?.[id];
  if (section) return section;
  if (r.machine !== undefined && r.machine !== id) return null;
  if (r.coverage.machines && Object.keys(r.coverage.machines).length && r.machine === undefined) {
    // Per-machine sections and no claim on the top-level counts: those belong to no machine here.
    return null;
  }
  return r.coverage;
}

function failingSteps(r: Results): Array<{ from: string; event: string; to: string | null }> {
  const out: Array<{ from: string; event: string; to: string | null }> = [];
  for (const t of r.tests) {
    if (t.status !== 'FAIL' && t.status !== 'ERROR') continue;
    for (const s of t.trace ?? []) {
      if (!stepFailed(s)) continue;
      for (const k of s.transitions ?? []) {
        const p = parseTransitionKey(k);
        if (p) out.push(p);
      }
      if (typeof s.from !== 'string') continue;
      const cmd = s.command as { type?: unknown } | string | undefined;
      const event = typeof s.event === 'string' ? s.event : typeof cmd === 'string' ? cmd.split(' ')[0]! : typeof cmd?.type === 'string' ? cmd.type : null;
      if (event) out.push({ from: s.from, event, to: typeof s.to === 'string' ? s.to : null });
    }
  }
  return out;
}

/** Classifies every edge of `g` for run `r`. An edge failed when one of its rules failed, or a
 * failing test's trace went wrong on it; it was exercised when the run took it; it is unsupported
 * when its rules are all UNSUPPORTED; else it was never reached. */
export function coverageOverlay(g: MachineGraph, r: Results): Overlay {
  const section = coverageFor(r, g.id);
  const counts = g.edges.map(() => 0);
  const states = new Map<string, number>();
  const unmatched: string[] = [];
  const index = edgeKeys(g);
  if (section) {
    for (const [key, n] of Object.entries(section.transitions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const t = parseTransitionKey(key);
      const hit = t ? index.get(k3(t.from, t.event, t.to)) : undefined;
      if (!hit) {
        unmatched.push(key);
        continue;
      }
      for (const i of hit) counts[i]! += n;
    }
    for (const s of g.states) {
      const n = names(s).reduce((sum, name) => sum + (section.states[name] ?? 0), 0);
      if (n) states.set(s.id, n);
    }
  }
  const failedByTrace = new Set<number>();
  for (const s of failingSteps(r)) {
    for (const [key, list] of index) {
      const [from, event, to] = key.split('\u0000');
      if (from === s.from && event === s.event && (s.to === null || to === s.to)) list.forEach((i) => failedByTrace.add(i));
    }
  }
  const ruleStatus = r.coverage.rules;
  const edges = g.edges.map((e): EdgeStatus => {
    if (failedByTrace.has(e.index) || e.rules.some((id) => ruleStatus[id] === 'FAIL')) return 'failed';
    if (counts[e.index]! > 0) return 'exercised';
    if (e.rules.length && e.rules.every((id) => ruleStatus[id] === 'UNSUPPORTED')) return 'unsupported';
    return 'unreached';
  });
  return { edges, counts, states, unmatched, covered: section !== null };
}

export function countStatuses(statuses: readonly EdgeStatus[]): Record<EdgeStatus, number> {
  const c: Record<EdgeStatus, number> = { exercised: 0, failed: 0, unreached: 0, unsupported: 0 };
  for (const s of statuses) c[s]++;
  return c;
}
