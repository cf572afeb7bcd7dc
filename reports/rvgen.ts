// The machine as deterministic automata in the .dot dialect of the Linux kernel's runtime
// verification generator (tools/verification/rvgen, `rvgen monitor -c da -s FILE.dot`), one per
// region of a parallel machine.
//
// rvgen reads these files line by line, so the layout is part of the format (rvgen/automata.py):
// the first line is `digraph state_automaton {`; every state is declared on its own
// `{node [shape = …] "name"};` line, those lines consecutive, the initial state also as
// `"__init_<name>"`; the line right after them is the `__init_` edge; then only lines that start
// with '"': state labels and edges `"a" -> "b" [ label = "ev1\nev2" ];`. Names are C identifiers:
// states and events become enum constants.
//
// The flattening: nested states become their leaves (a parent's transition is copied to each
// child that has no transition of its own for the event); a targetless transition or a refusal is a
// self-loop. An event that goes to different states depending on a guard is split into one event
// per outcome, named after the guard (`pause_is_push`), so the automaton stays deterministic; the
// unguarded fallback keeps the plain name.
import { changesState, childrenOf, enteredLeaves, isWithin, leavesOf, type GraphEdge, type GraphState, type MachineGraph } from './graph.ts';

export interface RvAutomaton {
  /** The model name, a C identifier; rvgen takes it from the file name (`<name>.dot`). */
  name: string;
  /** The region id it models ('' for a machine that is not parallel). */
  region: string;
  dot: string;
}

/** A C identifier in rvgen's style: lowercase, `_` between words. */
export function cIdent(s: string): string {
  const id = s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/!/g, 'not_')
    .replace(/&&/g, '_and_')
    .replace(/\|\|/g, '_or_')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
  return /^[a-z_]/.test(id) ? id : `x_${id}`;
}

function uniqueNames<T>(items: readonly T[], name: (t: T) => string): Map<T, string> {
  const used = new Set<string>();
  const out = new Map<T, string>();
  for (const it of items) {
    const base = name(it) || 'x';
    let n = base;
    for (let i = 2; used.has(n); i++) n = `${base}_${i}`;
    used.add(n);
    out.set(it, n);
  }
  return out;
}

interface Flat {
  from: GraphState;
  event: string;
  to: GraphState;
}

/** The transitions of each leaf of a region, with guard alternatives resolved into events. */
function flatten(g: MachineGraph, region: string, leaves: GraphState[]): Flat[] {
  const flat: Flat[] = [];
  const local = (s: GraphState) => (region === '' ? s.id : s.id.slice(region.length + 1));
  for (const leaf of leaves) {
    // A top-level final state ends the machine: it takes no event at all.
    if (leaf.type === 'final' && leaf.parent === null) continue;
    // Candidates in XState's priority order: the leaf's own transitions, then its ancestors'.
    const chain: string[] = [];
    for (let id: string | null = leaf.id; id !== null; id = g.byId.get(id)?.parent ?? null) chain.push(id);
    chain.push('');
    const byEvent = new Map<string, GraphEdge[]>();
    for (const src of chain) {
      const own = g.edges.filter((e) => e.source === src && e.event !== '');
      const events = [...new Set(own.map((e) => e.event))];
      for (const ev of events) {
        if (byEvent.has(ev)) continue; // a descendant handles it (xstate: the deepest state wins)
        byEvent.set(ev, own.filter((e) => e.event === ev));
      }
    }
    for (const [ev, candidates] of byEvent) {
      // Candidates after an unguarded one can never be taken.
      const live: GraphEdge[] = [];
      for (const c of candidates) {
        live.push(c);
        if (!c.guarded) break;
      }
      const outcomes: Array<{ to: GraphState; guards: Array<string | null>; fallback: boolean }> = [];
      for (const c of live) {
        let to: GraphState = leaf;
        if (changesState(c)) {
          const entered = c.targets.flatMap((t) => enteredLeaves(g, t)).filter((l) => isWithin(l.id, region));
          if (!entered.length) continue; // the transition only acts on another region
          to = entered[0]!;
        }
        const o = outcomes.find((x) => x.to === to);
        if (o) {
          o.guards.push(c.guard);
          o.fallback ||= !c.guarded;
        } else outcomes.push({ to, guards: [c.guard], fallback: !c.guarded });
      }
      const evName = cIdent(ev);
      if (outcomes.length === 1) {
        flat.push({ from: leaf, event: evName, to: outcomes[0]!.to });
        continue;
      }
      // Named after the outcome's guard, or where it has none to show, after the state it leads to.
      const names = uniqueNames(outcomes, (o) => {
        if (o.fallback) return evName;
        const g = o.guards.find((x) => x !== null);
        return `${evName}_${cIdent(g ?? `to_${local(o.to)}`)}`;
      });
      for (const o of outcomes) flat.push({ from: leaf, event: names.get(o)!, to: o.to });
    }
  }
  return flat;
}

function automaton(g: MachineGraph, region: string, name: string): RvAutomaton {
  const leaves = region === '' ? leavesOf(g, '') : leavesOf(g, region);
  const initial = region === '' ? (g.initial ? enteredLeaves(g, g.initial)[0] : leaves[0]) : enteredLeaves(g, region)[0];
  if (!initial) throw new Error(`machine ${g.id}: region '${region}' has no initial state`);
  const local = (s: GraphState) => (region === '' ? s.id : s.id.slice(region.length + 1));
  const stateNames = uniqueNames([initial, ...leaves.filter((l) => l !== initial)], (s) => cIdent(local(s).replace(/\./g, '_')));
  const q = (s: string) => `"${s}"`;
  const lines = ['digraph state_automaton {', '\tcenter = true;', '\tsize = "7,11";'];
  const init = stateNames.get(initial)!;
  for (const s of leaves) {
    const n = stateNames.get(s)!;
    if (s === initial) {
      lines.push(`\t{node [shape = plaintext, style=invis, label=""] ${q(`__init_${n}`)}};`);
      lines.push(`\t{node [shape = doublecircle] ${q(n)}};`);
    }
    lines.push(`\t{node [shape = circle] ${q(n)}};`);
  }
  lines.push(`\t${q(`__init_${init}`)} -> ${q(init)};`);
  const flat = flatten(g, region, leaves);
  for (const s of leaves) {
    const n = stateNames.get(s)!;
    lines.push(`\t${q(n)} [label = ${q(n)}${s === initial ? ', color = green3' : ''}];`);
    const byTarget = new Map<GraphState, string[]>();
    for (const f of flat) {
      if (f.from !== s) continue;
      const list = byTarget.get(f.to) ?? [];
      if (!list.includes(f.event)) list.push(f.event);
      byTarget.set(f.to, list);
    }
    for (const [to, events] of byTarget) lines.push(`\t${q(n)} -> ${q(stateNames.get(to)!)} [ label = ${q(events.join('\\n'))} ];`);
  }
  lines.push('\t{ rank = min ;', `\t\t${q(`__init_${init}`)};`, `\t\t${q(init)};`, '\t}', '}');
  return { name, region, dot: `${lines.join('\n')}\n` };
}

/** The rvgen automata of a machine: one for a flat or nested machine, one per region of a
 * parallel one (named `<machine>_<region>`). */
export function toRvgen(g: MachineGraph): RvAutomaton[] {
  const base = cIdent(g.id);
  if (!g.parallel) return [automaton(g, '', base)];
  return childrenOf(g, null).map((r) => automaton(g, r.id, `${base}_${cIdent(r.key)}`));
}

