// The Markdown transition table of a machine: every edge, in priority order per state, with its
// guard, target, result (errno) and rules. The complete truth the diagrams summarise.
import { changesState, type GraphEdge, type MachineGraph } from './graph.ts';

/** A table cell: pipes escaped, newlines flattened. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

const code = (s: string) => `\`${s}\``;

/** Where an edge goes, as the table shows it. */
export function targetText(g: MachineGraph, e: GraphEdge): string {
  if (!changesState(e)) return '(stays)';
  return e.targets.map((t) => g.byId.get(t)?.id ?? t).join(', ');
}

/** The Markdown table. `rulesLink` turns a rule id into a link target (none by default). */
export function toMarkdownTable(g: MachineGraph, opts: { rulesLink?: (id: string) => string | null } = {}): string {
  const rule = (id: string) => {
    const href = opts.rulesLink?.(id);
    return href ? `[${code(id)}](${href})` : code(id);
  };
  const stateLine = g.states
    .map((s) => {
      const marks = [
        g.initial === s.id || (s.parent && g.byId.get(s.parent)?.initial === s.id) ? 'initial' : null,
        s.type === 'final' ? 'final' : null,
        s.type === 'parallel' ? 'parallel' : null,
        s.children.length && s.type !== 'parallel' ? 'compound' : null,
      ].filter(Boolean);
      return marks.length ? `${code(s.id)} (${marks.join(', ')})` : code(s.id);
    })
    .join(', ');
  const lines = [
    `# ${g.id}: transitions`,
    '',
    `Generated from the machine \`${g.id}\` by \`alsa-spec diagrams\`; do not edit.`,
    '',
    `${g.parallel ? 'Parallel regions' : 'States'}: ${stateLine}.`,
    '',
    'Within a state, rows are in priority order: the first whose guard holds is taken. "(stays)" means',
    'the state does not change; a result other than `ok` is the errno the call fails with.',
    '',
    '| From | Event | Guard | To | Result | Rules |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const e of g.edges) {
    const from = e.source === '' ? '(any)' : e.source;
    lines.push(
      `| ${cell(from)} | ${cell(e.event === '' ? '(always)' : e.event)} | ${e.guard ? cell(code(e.guard)) : '—'} | ${cell(targetText(g, e))} | ${e.errno ?? 'ok'} | ${e.rules.length ? cell(e.rules.map(rule).join(', ')) : '—'} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
