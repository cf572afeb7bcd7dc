// Graphviz DOT for a machine graph. Two views keep the PCM machine readable:
// - 'overview': states and the edges that change state, parallel edges merged into one arrow
//   whose label lists its events;
// - 'full': the same, and inside each state a small table of the events that leave it where it is:
//   the ones it accepts, then the refusals grouped by errno. Dozens of refusal self-loops would
//   otherwise bury the life cycle.
// Nested states are clusters; a parallel machine's regions are dashed clusters side by side.
// An overlay colours every edge (and every event in the state tables) by its coverage status.
import type { EdgeStatus, Overlay } from './coverage.ts';
import { changesState, childrenOf, edgeEventText, enteredLeaves, initialLeaves, isWithin, leavesOf, type GraphEdge, type GraphState, type MachineGraph } from './graph.ts';

export type DotView = 'full' | 'overview';

export interface DotOptions {
  view?: DotView;
  overlay?: Overlay;
  /** Link of a merged edge (its edges in definition order), e.g. to the report's edge table. */
  edgeLink?: (edges: readonly GraphEdge[]) => string | null;
  /** Link of a state node. */
  stateLink?: (state: GraphState) => string | null;
  /** Prefix of the SVG element ids (Graphviz's graph `id`), to keep ids unique when several
   * diagrams share one HTML page. */
  idPrefix?: string;
}

export const STATUS_COLOR: Record<EdgeStatus, string> = {
  exercised: '#2e7d32',
  failed: '#c62828',
  unreached: '#9e9e9e',
  unsupported: '#6d4c91',
};

const FONT = 'Helvetica,Arial,sans-serif';
/** From this many states, arrows with the same events into the same state are drawn as one. */
const FAN_IN = 4;
/** Events an arrow's label lists before it says how many more there are. */
const MAX_LABEL_EVENTS = 10;

/** A DOT double-quoted string. Newlines become `\n` (centred lines). */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Text inside a Graphviz HTML-like label. */
function html(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An HTML-like label, written as `<…>` rather than quoted. */
class Html {
  constructor(readonly text: string) {}
}
type Attr = string | number | Html | undefined;

function attrs(a: Record<string, Attr>): string {
  const parts = Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v instanceof Html ? `<${v.text}>` : typeof v === 'number' ? v : dotString(v!)}`);
  return parts.length ? ` [${parts.join(', ')}]` : '';
}

/** Words joined by ', ' into lines of at most `width` characters. */
export function wrapList(words: readonly string[], width: number): string[][] {
  const lines: string[][] = [];
  let cur: string[] = [];
  let len = 0;
  for (const w of words) {
    const add = (cur.length ? 2 : 0) + w.length;
    if (cur.length && len + add > width) {
      lines.push(cur);
      cur = [];
      len = 0;
    }
    cur.push(w);
    len += (cur.length > 1 ? 2 : 0) + w.length;
  }
  if (cur.length) lines.push(cur);
  return lines;
}

interface StayRow {
  head: string;
  items: Array<{ text: string; status: EdgeStatus | null }>;
}

/** The events that leave a state where it is: accepted ones first, then refusals by errno in
 * the order they first appear. Duplicate texts with the same status are shown once. */
function stayRows(edges: readonly GraphEdge[], overlay?: Overlay): StayRow[] {
  const rows = new Map<string, StayRow>();
  for (const e of edges) {
    const head = e.errno ?? 'stays';
    let row = rows.get(head);
    if (!row) rows.set(head, (row = { head, items: [] }));
    // Events only: guards are in the tooltips and the transition table.
    const item = { text: e.event === '' ? '(always)' : e.event, status: overlay ? overlay.edges[e.index]! : null };
    if (!row.items.some((x) => x.text === item.text && x.status === item.status)) row.items.push(item);
  }
  const list = [...rows.values()];
  return [...list.filter((r) => r.head === 'stays'), ...list.filter((r) => r.head !== 'stays')];
}

function stayTable(title: string, rows: StayRow[], visits: number | null): Html {
  const head = visits === null ? `<b>${html(title)}</b>` : `<b>${html(title)}</b> <font point-size="8">(${visits})</font>`;
  let out = `<table border="0" cellborder="0" cellspacing="0" cellpadding="1"><tr><td>${head}</td></tr>`;
  for (const row of rows) {
    const label = row.head === 'stays' ? 'stays:' : `${row.head}:`;
    const words = row.items.map((i) => i.text);
    const lines = wrapList(words, 34);
    let k = 0;
    const cells = lines.map((line, n) => {
      const body = line
        .map((w) => {
          const item = row.items[k++]!;
          const t = html(w);
          return item.status ? `<font color="${STATUS_COLOR[item.status]}">${t}</font>` : t;
        })
        .join(', ');
      return (n === 0 ? `<i>${html(label)}</i>&#160;` : '') + body;
    });
    const color = row.head === 'stays' ? '#37474f' : '#8d2a2a';
    out += `<tr><td align="left" balign="left"><font point-size="8" color="${color}">${cells.join('<br/>')}</font></td></tr>`;
  }
  return new Html(`${out}</table>`);
}

function edgeStatusOf(edges: readonly GraphEdge[], overlay?: Overlay): EdgeStatus | null {
  return overlay ? overlay.edges[edges[0]!.index]! : null;
}

const statusStyle = (s: EdgeStatus) => ({
  color: STATUS_COLOR[s],
  fontcolor: STATUS_COLOR[s],
  penwidth: s === 'failed' ? 2.5 : s === 'exercised' ? 1.8 : 1,
  style: s === 'unreached' ? 'dashed' : s === 'unsupported' ? 'dotted' : undefined,
});

/** A machine as DOT. Stable: the same machine (and overlay) gives the same bytes. */
export function machineDot(g: MachineGraph, opts: DotOptions = {}): string {
  const view = opts.view ?? 'full';
  const overlay = opts.overlay;
  const out: string[] = [];
  const ind = (n: number) => '  '.repeat(n);
  const clusterId = (id: string) => `cluster_${id}`;
  const isCluster = (s: GraphState) => s.children.length > 0;

  const stays = new Map<string, GraphEdge[]>();
  const moves: GraphEdge[] = [];
  for (const e of g.edges) {
    if (changesState(e)) moves.push(e);
    else {
      const list = stays.get(e.source) ?? [];
      list.push(e);
      stays.set(e.source, list);
    }
  }
  const nStates = g.states.filter((s) => !isCluster(s)).length;
  out.push(`digraph ${dotString(g.id)} {`);
  out.push(
    `${ind(1)}graph${attrs({
      rankdir: 'TB',
      compound: 'true',
      newrank: 'true',
      fontname: FONT,
      fontsize: 12,
      labelloc: 't',
      label: `${g.id}${view === 'overview' ? ' (overview)' : ''}: ${nStates} states, ${g.edges.length} transitions`,
      nodesep: 0.35,
      ranksep: 0.55,
      id: opts.idPrefix,
    })};`,
  );
  out.push(`${ind(1)}node${attrs({ shape: 'box', style: 'rounded,filled', fillcolor: '#f5f7fa', color: '#455a64', fontname: FONT, fontsize: 11, margin: '0.12,0.06' })};`);
  out.push(`${ind(1)}edge${attrs({ fontname: FONT, fontsize: 9, color: '#37474f', arrowsize: 0.7 })};`);

  const stateNode = (s: GraphState, depth: number) => {
    const visits = overlay ? (overlay.states.get(s.id) ?? 0) : null;
    const rows = view === 'full' ? stayRows(stays.get(s.id) ?? [], overlay) : [];
    const label = rows.length || visits !== null ? stayTable(s.key, rows, visits) : s.key;
    const tip = [s.id, s.description, visits !== null ? `visited ${visits}×` : null].filter(Boolean).join('\n');
    const a: Record<string, Attr> = {
      label,
      tooltip: tip,
      peripheries: s.type === 'final' ? 2 : undefined,
      URL: opts.stateLink?.(s) ?? undefined,
    };
    if (overlay && !visits) a.fillcolor = '#eeeeee';
    if (overlay && visits) a.fillcolor = '#e8f5e9';
    out.push(`${ind(depth)}${dotString(s.id)}${attrs(a)};`);
  };

  const initialMarker = (target: string, name: string, depth: number) => {
    const leaf = enteredLeaves(g, target)[0];
    if (!leaf) return;
    out.push(`${ind(depth)}${dotString(name)}${attrs({ shape: 'point', width: 0.12, label: '', fillcolor: '#263238', color: '#263238' })};`);
    const lhead = leaf.id !== target ? clusterId(target) : undefined;
    out.push(`${ind(depth)}${dotString(name)} -> ${dotString(leaf.id)}${attrs({ lhead })};`);
  };

  const emit = (parent: string | null, depth: number) => {
    for (const s of childrenOf(g, parent)) {
      if (!isCluster(s)) {
        stateNode(s, depth);
        continue;
      }
      const rows = view === 'full' ? stayRows(stays.get(s.id) ?? [], overlay) : [];
      const isRegion = g.byId.get(s.parent ?? '')?.type === 'parallel' || (s.parent === null && g.parallel);
      out.push(`${ind(depth)}subgraph ${dotString(clusterId(s.id))} {`);
      out.push(
        `${ind(depth + 1)}graph${attrs({
          label: rows.length ? stayTable(s.key, rows, null) : s.key,
          style: isRegion ? 'dashed,rounded' : 'rounded',
          color: '#78909c',
          labeljust: 'l',
          tooltip: s.id,
        })};`,
      );
      if (s.type === 'compound' && s.initial) initialMarker(s.initial, `__start_${s.id}`, depth + 1);
      emit(s.id, depth + 1);
      out.push(`${ind(depth)}}`);
    }
  };
  if (!g.parallel && g.initial) initialMarker(g.initial, '__start', 1);
  emit(null, 1);
  // Transitions defined on the machine itself apply in every state: they start from one note,
  // which also lists the root's own stays and refusals.
  const ANY = '__any';
  const rootStays = view === 'full' ? stayRows(stays.get('') ?? [], overlay) : [];
  if (rootStays.length || moves.some((e) => e.source === '')) {
    const label = rootStays.length ? stayTable('in every state', rootStays, null) : 'from every state';
    out.push(`${ind(1)}${dotString(ANY)}${attrs({ shape: 'note', style: 'filled', fillcolor: '#fffde7', color: '#bdbdbd', fontsize: 9, label, tooltip: 'transitions of the machine itself, taken in every state' })};`);
  }

  // Edges that change state. One event into one state from FAN_IN or more states (DROP,
  // SUSPEND, DISCONNECT) is drawn as one arrow from a small "from …" note instead of a fan of
  // arrows; notes with the same sources and target share one arrow. The rest are merged per
  // (tail, head, kind, status), their events one per line.
  interface Item { tail: string; head: string; ltail?: string; lhead?: string; refusal: boolean; status: EdgeStatus | null; text: string; edge: GraphEdge }
  const items: Item[] = [];
  for (const e of moves) {
    const sourceLeaves = e.source === '' ? [] : leavesOf(g, e.source);
    for (const target of e.targets) {
      const headLeaf = enteredLeaves(g, target)[0];
      if (!headLeaf) continue;
      const src = g.byId.get(e.source);
      const tailLeaf = e.source === '' ? { id: ANY } : src && isCluster(src) ? (sourceLeaves.find((l) => !isWithin(l.id, target)) ?? sourceLeaves[0]) : src;
      if (!tailLeaf) continue;
      const ltail = src && isCluster(src) && !isWithin(target, src.id) ? clusterId(src.id) : undefined;
      const tgt = g.byId.get(target)!;
      const lhead = isCluster(tgt) && !isWithin(e.source, tgt.id) ? clusterId(tgt.id) : undefined;
      const text = e.event === '' ? '(always)' : e.event;
      items.push({ tail: tailLeaf.id, head: headLeaf.id, ltail, lhead, refusal: e.errno !== null, status: edgeStatusOf([e], overlay), text, edge: e });
    }
  }
  const kind = (i: Item) => `${i.refusal ? 'r' : 'o'}\u0000${i.status ?? ''}`;
  /** An arrow's label: its events, those that end with an errno grouped after it. */
  const arrowLabel = (list: readonly Item[]) => {
    const rows = new Map<string, string[]>();
    for (const i of list) {
      const head = i.edge.errno ?? '';
      const evs = rows.get(head) ?? [];
      if (!evs.includes(i.text)) evs.push(i.text);
      rows.set(head, evs);
    }
    return [...rows]
      .sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : 0))
      .flatMap(([head, evs]) => {
        // A long list (a peer's command can move a linked stream on any event) is cut short;
        // the tooltip and the transition table have it whole.
        const shown = evs.length > MAX_LABEL_EVENTS ? [...evs.slice(0, MAX_LABEL_EVENTS - 2), `… ${evs.length - MAX_LABEL_EVENTS + 2} more`] : evs;
        return wrapList(shown, 30).map((l, n) => (n === 0 && head ? `${head}: ` : '') + l.join(', '));
      })
      .join('\n');
  };
  const tailsOf = new Map<string, Set<string>>();
  const fanKey = (i: Item) => [i.head, i.text, i.edge.errno ?? '', kind(i)].join('\u0000');
  for (const i of items) if (!i.ltail && !i.lhead && i.tail !== ANY) tailsOf.set(fanKey(i), (tailsOf.get(fanKey(i)) ?? new Set()).add(i.tail));
  const isFan = (i: Item) => !i.ltail && !i.lhead && i.tail !== ANY && tailsOf.get(fanKey(i))!.size >= FAN_IN;

  interface Group { tail: string; head: string; ltail?: string; lhead?: string; refusal: boolean; status: EdgeStatus | null; sources: string[]; items: Item[] }
  const groups = new Map<string, Group>();
  const add = (key: string, i: Item, sources: string[]) => {
    const grp = groups.get(key);
    if (grp) grp.items.push(i);
    else groups.set(key, { tail: i.tail, head: i.head, ltail: i.ltail, lhead: i.lhead, refusal: i.refusal, status: i.status, sources, items: [i] });
  };
  for (const i of items) {
    if (isFan(i)) {
      const sources = [...tailsOf.get(fanKey(i))!];
      add(['fan', i.head, sources.join('\u0001'), kind(i)].join('\u0000'), i, sources);
    } else add([i.tail, i.head, i.ltail ?? '', i.lhead ?? '', kind(i)].join('\u0000'), i, []);
  }
  // Breadth-first depth of each state from the initial ones: an arrow back to a shallower state
  // (HW_FREE to OPEN, DROP to SETUP) does not push its head to the right, so the life cycle
  // reads from left to right.
  const depth = new Map<string, number>(initialLeaves(g).map((l) => [l.id, 0]));
  for (let frontier = [...depth.keys()]; frontier.length; ) {
    const next: string[] = [];
    for (const i of items) {
      if (frontier.includes(i.tail) && !depth.has(i.head)) {
        depth.set(i.head, depth.get(i.tail)! + 1);
        next.push(i.head);
      }
    }
    frontier = next;
  }
  const backwards = (tail: string, head: string) => depth.has(tail) && depth.has(head) && depth.get(head)! < depth.get(tail)!;
  let fanNo = 0;
  for (const grp of groups.values()) {
    const edges = [...new Set(grp.items.map((i) => i.edge))];
    const tip = edges
      .map((e) => `${e.source || '(every state)'}: ${edgeEventText(e)}${e.errno ? ` (${e.errno})` : ''}: ${e.rules.join(', ') || 'no rule'}${overlay ? ` — ${overlay.edges[e.index]} (${overlay.counts[e.index]}×)` : ''}`)
      .join('\n');
    const a: Record<string, Attr> = {
      label: arrowLabel(grp.items),
      tooltip: tip,
      ltail: grp.ltail,
      lhead: grp.lhead,
      URL: opts.edgeLink?.(edges) ?? undefined,
    };
    if (grp.refusal) Object.assign(a, { style: 'dashed', color: '#8d2a2a', fontcolor: '#8d2a2a' });
    if (grp.status) Object.assign(a, statusStyle(grp.status));
    if (!grp.sources.length && backwards(grp.tail, grp.head)) a.constraint = 'false';
    let tail = grp.tail;
    if (grp.sources.length) {
      tail = `__from_${++fanNo}`;
      const names = grp.sources.map((id) => g.byId.get(id)!.key);
      const lines = wrapList(names, 28).map((l) => l.join(', '));
      // The note stands for arrows from its sources: keep their pull on the layout.
      for (const src of grp.sources) if (depth.get(src)! < depth.get(grp.head)!) out.push(`${ind(1)}${dotString(src)} -> ${dotString(grp.head)} [style="invis"];`);
      out.push(`${ind(1)}${dotString(tail)}${attrs({ shape: 'note', style: 'filled', fillcolor: '#fffde7', color: '#bdbdbd', fontsize: 8, label: `from ${lines.join(',\n')}`, tooltip: `from ${names.join(', ')}` })};`);
    }
    out.push(`${ind(1)}${dotString(tail)} -> ${dotString(grp.head)}${attrs(a)};`);
  }
  if (!g.parallel && g.initial) {
    // The life cycle reads from left to right, starting at the initial state.
    out.push(`${ind(1)}{ rank=min; "__start"; }`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
