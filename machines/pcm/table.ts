// The machine's transition table, read off the op tables: one row per edge and outcome.
import type { RegionState } from './context.ts';
import { allEdges } from './decide.ts';

export interface TableRow {
  from: RegionState | '*';
  event: string;
  /** The premises the edge tests (a leading '!' negates), e.g. ['isPlayback', '!playbackHasData']. */
  capabilities: string[];
  to: RegionState | '*';
  /** The errno name, '*' when it is whatever another group member answered, or null. */
  errno: string | null;
  rules: string[];
  /** refusal | effect | group | peer — how the edge is taken. */
  kind: string;
  id: string;
}

export function transitionTable(files: 1 | 2 = 1): TableRow[] {
  const rows: TableRow[] = [];
  for (const [id, { op, state, edge, outcome }] of allEdges(files)) {
    const o = edge.outcomes?.[outcome];
    const kind = edge.peer ? 'peer' : edge.group ? 'group' : edge.run ? 'effect' : 'refusal';
    rows.push({
      from: state,
      event: op.type,
      capabilities: [...(edge.if ?? [])],
      to: edge.group ? '*' : (o?.to ?? edge.to ?? state),
      errno: edge.peer || edge.group ? '*' : (o?.errno ?? edge.errno ?? null),
      rules: [...new Set([...edge.rules, ...(o?.rules ?? [])])],
      kind,
      id,
    });
  }
  return rows;
}

export function tableMarkdown(rows: readonly TableRow[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    '| From | Event | Premises | To | Errno | Rules |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) =>
      `| ${r.from} | ${r.event} | ${r.capabilities.length ? esc(r.capabilities.join(' & ')) : '—'} | ${r.to} | ${r.errno ?? '—'} | ${r.rules.map((x) => `\`${x}\``).join(' ')} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
