// The report's diagram pages: for each machine, one coverage overlay per run (edges exercised,
// failed, never reached), inlined as SVG so its edges link to the edge table below it.
import { EDGE_STATUSES, countStatuses } from './coverage.ts';
import { STATUS_COLOR, machineDot } from './dot.ts';
import { edgeEventText, type MachineGraph } from './graph.ts';
import { badge, esc, page, table } from './html.ts';
import { navFor, ruleLinker, type ReportModel } from './report-pages.ts';
import { inlineSvg, renderSvg } from './svg.ts';
import { targetText } from './table.ts';

export async function diagramPage(m: ReportModel, g: MachineGraph): Promise<string> {
  const nav = navFor(m, '../');
  const link = ruleLinker(m, '../');
  const overlays = m.overlays.get(g.id) ?? [];
  const legend = `<p class="legend">${EDGE_STATUSES.map((s) => `<span><i style="border-color:${STATUS_COLOR[s]}"></i>${s}</span>`).join('')}
<span class="muted">Events inside a state leave it where it is (refusals grouped by errno); the number after a state's name counts visits. Click an edge for its rules.</span></p>`;
  let body = legend;
  for (const run of m.runs) {
    const o = overlays[run.index]!;
    const c = countStatuses(o.edges);
    const svg = await renderSvg(
      machineDot(g, {
        view: 'full',
        overlay: o,
        edgeLink: (edges) => `#e${edges[0]!.index}`,
        idPrefix: `run${run.index}`,
      }),
    );
    body += `<h2 id="${esc(run.slug)}">${esc(run.label)}</h2>`;
    body += o.covered
      ? `<p>${EDGE_STATUSES.map((s) => `${badge(s)} ${c[s]}`).join(' ')} of ${g.edges.length} edges.</p>`
      : `<p class="muted">This run has no coverage for machine <code>${esc(g.id)}</code>; every edge shows as never reached.</p>`;
    if (o.unmatched.length) {
      body += `<p>Coverage keys that name no edge of this machine (${o.unmatched.length}): ${o.unmatched.slice(0, 20).map((k) => `<code>${esc(k)}</code>`).join(', ')}${o.unmatched.length > 20 ? ', …' : ''}</p>`;
    }
    body += `<div class="diagram" data-run="${esc(run.slug)}">${inlineSvg(svg)}</div>`;
  }
  body += '<h2 id="edges">Edges</h2>';
  body += table(
    ['#', 'From', 'Event', 'To', 'Result', 'Rules', ...m.runs.map((r) => esc(r.label))],
    g.edges.map((e) => [
      `<span id="e${e.index}">${e.index}</span>`,
      esc(e.source || '(any)'),
      esc(edgeEventText(e)),
      esc(targetText(g, e)),
      esc(e.errno ?? 'ok'),
      e.rules.map((id) => {
        const h = link(id);
        return h ? `<a href="${esc(h)}"><code>${esc(id)}</code></a>` : `<code>${esc(id)}</code>`;
      }).join(' '),
      ...m.runs.map((r) => {
        const o = overlays[r.index]!;
        return `${badge(o.edges[e.index]!)} ${o.counts[e.index]}×`;
      }),
    ]),
  );
  return page(`Diagram: ${g.id}`, nav, body);
}
