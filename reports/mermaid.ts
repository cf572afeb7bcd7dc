// Mermaid `stateDiagram-v2` for a machine graph, for Markdown viewers that render Mermaid. Like the
// DOT 'full' view: arrows for the edges that change state (merged per pair of states, events
// only), and inside each state the events that leave it where it is, grouped by errno.
import { changesState, childrenOf, enteredLeaves, type GraphEdge, type GraphState, type MachineGraph } from './graph.ts';

/** A Mermaid state id: letters, digits and underscores only. */
export function mermaidId(id: string): string {
  return id.replace(/[^A-Za-z0-9_]/g, '_');
}

/** Text Mermaid shows as is (no ':' , ';', '#', braces or angle brackets, which its parser reads). */
function text(s: string): string {
  return s.replace(/[:;#{}<>]/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Events only, as in the DOT diagrams: guards are in the transition table. */
const eventName = (e: GraphEdge) => (e.event === '' ? '(always)' : e.event);

export function toMermaid(g: MachineGraph): string {
  const out: string[] = ['stateDiagram-v2', '  direction LR'];
  const stays = new Map<string, GraphEdge[]>();
  const moves: GraphEdge[] = [];
  for (const e of g.edges) {
    if (changesState(e)) moves.push(e);
    else stays.set(e.source, [...(stays.get(e.source) ?? []), e]);
  }
  const describe = (s: GraphState, depth: number, own = stays.get(s.id) ?? []) => {
    const pad = '  '.repeat(depth);
    const rows = new Map<string, string[]>();
    for (const e of own) {
      const head = e.errno ? `${e.errno} for` : 'stays on';
      const list = rows.get(head) ?? [];
      const t = text(eventName(e));
      if (!list.includes(t)) list.push(t);
      rows.set(head, list);
    }
    const ordered = [...rows].sort(([a], [b]) => (a === 'stays on' ? -1 : b === 'stays on' ? 1 : 0));
    for (const [head, list] of ordered) out.push(`${pad}${mermaidId(s.id)} : ${head} ${list.join(', ')}`);
  };
  // Mermaid scopes the states of a composite state: an arrow is written inside the innermost
  // composite state that holds both its ends.
  const arrows = new Map<string, Map<string, { from: string; to: string; labels: string[] }>>();
  const common = (a: string, b: string) => {
    const pa = a.split('.').slice(0, -1);
    const pb = b.split('.').slice(0, -1);
    let n = 0;
    while (n < pa.length && n < pb.length && pa[n] === pb[n]) n++;
    return pa.slice(0, n).join('.');
  };
  const ANY = '__any';
  for (const e of moves) {
    for (const t of e.targets) {
      const to = g.byId.get(t)?.children.length ? t : (enteredLeaves(g, t)[0]?.id ?? t);
      const scope = e.source === '' ? '' : common(e.source, to);
      const inScope = arrows.get(scope) ?? new Map();
      arrows.set(scope, inScope);
      const from = e.source === '' ? ANY : e.source;
      const key = `${from}\u0000${to}`;
      const p = inScope.get(key) ?? { from, to, labels: [] };
      const label = text(e.errno ? `${eventName(e)} (${e.errno})` : eventName(e));
      if (!p.labels.includes(label)) p.labels.push(label);
      inScope.set(key, p);
    }
  }
  const emit = (parent: string | null, depth: number) => {
    const pad = '  '.repeat(depth);
    const kids = childrenOf(g, parent);
    const parentState = parent === null ? null : g.byId.get(parent)!;
    const parallel = parent === null ? g.parallel : parentState!.type === 'parallel';
    if (!parallel) {
      const initial = parent === null ? g.initial : parentState!.initial;
      if (initial) out.push(`${pad}[*] --> ${mermaidId(initial)}`);
    }
    kids.forEach((s, i) => {
      if (parallel && i > 0) out.push(`${pad}--`);
      if (s.id !== s.key || s.children.length) out.push(`${pad}state "${text(s.key)}" as ${mermaidId(s.id)}`);
      if (s.children.length) {
        out.push(`${pad}state ${mermaidId(s.id)} {`);
        emit(s.id, depth + 1);
        out.push(`${pad}}`);
      }
      describe(s, depth);
      if (s.type === 'final') out.push(`${pad}${mermaidId(s.id)} --> [*]`);
    });
    for (const p of arrows.get(parent ?? '')?.values() ?? []) out.push(`${pad}${mermaidId(p.from)} --> ${mermaidId(p.to)} : ${p.labels.join(', ')}`);
  };
  // The machine's own transitions, taken in every state, start from a pseudo-state.
  const rootStays = stays.get('') ?? [];
  if (rootStays.length || moves.some((e) => e.source === '')) {
    out.push(`  state "every state" as ${ANY}`);
    describe({ id: ANY, key: ANY, path: [], type: 'atomic', parent: null, children: [], initial: null, description: null }, 1, rootStays);
  }
  if (g.parallel) {
    // Concurrent regions ('--') exist only inside a composite state: wrap the root in one.
    out.push(`  state "${text(g.id)}" as ${mermaidId(`machine_${g.id}`)} {`);
    emit(null, 2);
    out.push('  }');
  } else emit(null, 1);
  return `${out.join('\n')}\n`;
}
