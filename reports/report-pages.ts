// The pages of the HTML report that read the results and the rule registry: summary, rules (one
// page each), tests, failures. Diagram pages are in report-diagrams.ts.
import type { RuleDoc } from '../spec/parse.ts';
import type { Overlay } from './coverage.ts';
import { edgeEventText, type MachineGraph } from './graph.ts';
import { badge, esc, inlineMd, page, table, type Nav } from './html.ts';
import { stepFailed, type TestResult, type TraceStep } from './results.ts';
import { deviceText, isFailure, slug, type ReportSummary, type Run } from './runs.ts';
import { commandText } from './junit.ts';
import { targetText } from './table.ts';

export interface ReportModel {
  runs: Run[];
  /** Every rule the report covers, in registry order then the unknown ones; null for a rule id the
   * results name but the spec does not define. */
  rules: Map<string, RuleDoc | null>;
  graphs: MachineGraph[];
  /** Per machine id, the overlay of each run (by run index). */
  overlays: Map<string, Overlay[]>;
  summary: ReportSummary;
  machineHref: (id: string) => string;
}

export const ruleFile = (id: string) => `rules/${slug(id)}.html`;
export const failureAnchor = (run: Run, t: TestResult) => `${run.slug}--${slug(t.id)}`;
export const testAnchor = (id: string) => `t-${slug(id)}`;

export function navFor(m: ReportModel, root: string): Nav {
  return {
    root,
    machines: m.graphs.map((g) => ({ id: g.id, href: m.machineHref(g.id) })),
    failures: m.runs.reduce((n, r) => n + r.results.tests.filter(isFailure).length, 0),
  };
}

export function ruleLinker(m: ReportModel, root: string): (id: string) => string | null {
  return (id) => (m.rules.has(id) ? `${root}${ruleFile(id)}` : null);
}

const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));

function ruleList(ids: readonly string[], link: (id: string) => string | null): string {
  return ids.map((id) => {
    const h = link(id);
    return h ? `<a href="${esc(h)}"><code>${esc(id)}</code></a>` : `<code>${esc(id)}</code>`;
  }).join(' ');
}

export function summaryPage(m: ReportModel): string {
  const nav = navFor(m, '');
  const s = m.summary;
  const bad = s.runs.filter((r) => !r.ok).length;
  let body = `<p class="verdict">${s.ok ? badge('PASS') + ' Every run passes.' : `${badge('FAIL')} ${bad} of ${s.runs.length} run${s.runs.length === 1 ? '' : 's'} ha${bad === 1 ? 's' : 've'} failures or uncovered rules.`}</p>\n<div class="cards">`;
  for (const [i, r] of s.runs.entries()) {
    const run = m.runs[i]!;
    const counts = (o: Record<string, number>) =>
      Object.entries(o)
        .filter(([k, n]) => k !== 'total' && n > 0)
        .map(([k, n]) => `${badge(k)} ${n}`)
        .join(' ');
    const edges = Object.entries(r.edges)
      .map(([id, c]) => `<li><a href="${esc(m.machineHref(id))}#${esc(run.slug)}">${esc(id)}</a>: ${c.exercised}/${c.total} edges exercised${c.failed ? `, ${c.failed} failed` : ''}</li>`)
      .join('');
    body += `<div class="card ${r.ok ? 'good' : 'bad'}" id="run-${esc(run.slug)}"><h3>${esc(r.label)}</h3>
<div class="muted">device ${esc(deviceText(r.device))}${r.machine ? ` · machine ${esc(r.machine)}` : ''}${r.seed !== null ? ` · seed ${esc(String(r.seed))}` : ''}${r.durationMs !== null ? ` · ${(r.durationMs / 1000).toFixed(1)} s` : ''}</div>
<p>Tests (${r.tests.total}): ${counts(r.tests) || 'none'}</p>
<p>Rules (${r.rules.total}): ${counts(r.rules) || 'none'}</p>
${edges ? `<ul>${edges}</ul>` : ''}
${r.failures.length ? `<p><a href="failures.html#${esc(run.slug)}">${r.failures.length} failure${r.failures.length === 1 ? '' : 's'}</a></p>` : ''}</div>`;
  }
  body += '</div>';
  const link = ruleLinker(m, '');
  // Rules some run does not pass, worst first; rules no run lists are counted, not listed.
  const rank: Record<string, number> = { FAIL: 0, UNCOVERED: 1, UNSUPPORTED: 2, missing: 3 };
  const worst = (id: string) =>
    Math.min(...m.runs.map((r) => {
      const st = r.results.coverage.rules[id];
      return st === undefined ? rank.missing! : (rank[st] ?? 9);
    }));
  const listed = [...m.rules.keys()].filter((id) => m.runs.some((r) => r.results.coverage.rules[id] !== undefined));
  const attention = listed.filter((id) => worst(id) < 9).sort((a, b) => worst(a) - worst(b));
  const unlisted = m.rules.size - listed.length;
  body += `<h2>Rules that do not pass in every run (${attention.length} of ${listed.length} listed)</h2>`;
  body += attention.length
    ? table(
        ['Rule', 'Title', ...m.runs.map((r) => esc(r.label))],
        attention.map((id) => [ruleList([id], link), esc(m.rules.get(id)?.title ?? '(not in the spec)'), ...m.runs.map((r) => badge(r.results.coverage.rules[id] ?? null))]),
      )
    : '<p>None.</p>';
  if (unlisted) body += `<p class="muted">${unlisted} rule${unlisted === 1 ? ' is' : 's are'} listed by no run (see <a href="rules.html">rules.html</a>).</p>`;
  body += `<p>All rules: <a href="rules.html">rules.html</a>. Machine-readable: <a href="summary.json">summary.json</a>, <a href="junit.xml">junit.xml</a>, <a href="results.ktap">results.ktap</a>.</p>`;
  return page('Conformance report', nav, body);
}

export function rulesIndexPage(m: ReportModel): string {
  const nav = navFor(m, '');
  const link = ruleLinker(m, '');
  const byFile = new Map<string, string[]>();
  for (const [id, doc] of m.rules) {
    const f = doc ? doc.file : '(not in the spec)';
    byFile.set(f, [...(byFile.get(f) ?? []), id]);
  }
  let body = `<p>${m.rules.size} rules. Status per run from the run's <code>coverage.rules</code>; — where a run does not list the rule.</p>`;
  for (const [file, ids] of byFile) {
    body += `<h2>${esc(file)}</h2>`;
    body += table(
      ['Rule', 'Title', ...m.runs.map((r) => esc(r.label))],
      ids.map((id) => [ruleList([id], link), esc(m.rules.get(id)?.title ?? ''), ...m.runs.map((r) => badge(r.results.coverage.rules[id] ?? null))]),
    );
  }
  return page('Rules', nav, body);
}

export function rulePage(m: ReportModel, id: string): string {
  const nav = navFor(m, '../');
  const doc = m.rules.get(id) ?? null;
  const link = ruleLinker(m, '../');
  let body = `<p><code>${esc(id)}</code>${doc ? ` — <span class="muted">spec/${esc(doc.file)}</span>` : ''}</p>`;
  if (doc) {
    const items: Array<[string, string | undefined]> = [
      ['When', doc.when],
      ['Then', doc.then],
      ['Unchanged', doc.unchanged],
      ['Kernel', doc.kernel],
      ['Linux 6.1', doc.v61],
      ['Model', doc.model],
    ];
    body += `<dl class="rule">${items.filter(([, v]) => v).map(([k, v]) => `<dt>${k}</dt><dd>${inlineMd(v!, link)}</dd>`).join('\n')}</dl>`;
  } else {
    body += '<p><b>This rule id is not in the spec registry</b> (spec/rules.generated.ts): a run names it, the spec does not define it.</p>';
  }
  body += '<h2>Status per run</h2>';
  body += table(['Run', 'Status'], m.runs.map((r) => [esc(r.label), badge(r.results.coverage.rules[id] ?? null)]));

  const testIds = new Map<string, TestResult>();
  for (const r of m.runs) for (const t of r.results.tests) if (t.rules.includes(id) && !testIds.has(t.id)) testIds.set(t.id, t);
  body += `<h2>Tests (${testIds.size})</h2>`;
  body += testIds.size
    ? table(
        ['Test', 'Title', ...m.runs.map((r) => esc(r.label))],
        [...testIds.values()].map((t) => [
          `<a href="../tests.html#${esc(testAnchor(t.id))}"><code>${esc(t.id)}</code></a>`,
          esc(t.title),
          ...m.runs.map((r) => {
            const rt = r.results.tests.find((x) => x.id === t.id);
            if (!rt) return badge(null);
            const b = badge(rt.status, rt.reason);
            return isFailure(rt) ? `<a href="../failures.html#${esc(failureAnchor(r, rt))}">${b}</a>` : b;
          }),
        ]),
      )
    : '<p>No test names this rule.</p>';

  const rows: string[][] = [];
  for (const g of m.graphs) {
    const overlays = m.overlays.get(g.id) ?? [];
    for (const e of g.edges) {
      if (!e.rules.includes(id)) continue;
      rows.push([
        `<a href="../${esc(m.machineHref(g.id))}#e${e.index}">${esc(g.id)}</a>`,
        esc(e.source || '(any)'),
        esc(edgeEventText(e)),
        esc(targetText(g, e)),
        esc(e.errno ?? 'ok'),
        ...m.runs.map((r) => {
          const o = overlays[r.index];
          return o ? `${badge(o.edges[e.index]!)} ${o.counts[e.index]}×` : badge(null);
        }),
      ]);
    }
  }
  body += `<h2>Machine edges (${rows.length})</h2>`;
  body += rows.length ? table(['Machine', 'From', 'Event', 'To', 'Result', ...m.runs.map((r) => esc(r.label))], rows) : '<p>No machine edge carries this rule.</p>';
  return page(doc ? `${id}: ${doc.title}` : id, nav, body);
}

export function testsPage(m: ReportModel): string {
  const nav = navFor(m, '');
  const link = ruleLinker(m, '');
  const all = new Map<string, TestResult>();
  for (const r of m.runs) for (const t of r.results.tests) if (!all.has(t.id)) all.set(t.id, t);
  const rows = [...all.values()].map((t) => [
    `<span id="${esc(testAnchor(t.id))}"><code>${esc(t.id)}</code></span>`,
    esc(t.title),
    ruleList(t.rules, link),
    ...m.runs.map((r) => {
      const rt = r.results.tests.find((x) => x.id === t.id);
      if (!rt) return badge(null);
      const b = badge(rt.status, rt.reason);
      return isFailure(rt) ? `<a href="failures.html#${esc(failureAnchor(r, rt))}">${b}</a>` : b;
    }),
  ]);
  return page(`Tests (${all.size})`, nav, table(['Test', 'Title', 'Rules', ...m.runs.map((r) => esc(r.label))], rows));
}

function cellValue(v: unknown): string {
  if (v === undefined) return '';
  return typeof v === 'string' ? esc(v) : `<code>${esc(json(v))}</code>`;
}

const KNOWN_STEP_KEYS = new Set(['step', 'command', 'event', 'from', 'to', 'transitions', 'expected', 'actual', 'model', 'backend', 'ok', 'divergence', 'rules', 'note']);

export function traceTable(trace: readonly TraceStep[], link: (id: string) => string | null): string {
  const rows = trace.map((s, i) => {
    const extra = Object.fromEntries(Object.entries(s).filter(([k]) => !KNOWN_STEP_KEYS.has(k)));
    const cmd = s.command !== undefined ? `<code>${esc(commandText(s.command))}</code>` : cellValue(s.event);
    const move = s.transitions?.length
      ? s.transitions.map((t) => esc(t)).join('<br>')
      : s.from !== undefined || s.to !== undefined ? `${esc(s.from ?? '?')} → ${esc(s.to ?? '?')}` : '';
    const notes = [s.divergence ? `<b>${esc(s.divergence)}</b>` : '', s.note ? esc(s.note) : '', Object.keys(extra).length ? `<code>${esc(json(extra))}</code>` : ''].filter(Boolean).join('<br>');
    const failed = stepFailed(s);
    const cells = [String(s.step ?? i + 1), cmd, move, cellValue(s.expected ?? s.model), cellValue(s.actual ?? s.backend), failed ? '✗' : '✓', ruleList(s.rules ?? [], link), notes];
    return `<tr${failed ? ' class="bad"' : ''}>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  return `<table class="trace"><thead><tr><th>#</th><th>Command</th><th>State</th><th>Expected (model)</th><th>Actual (backend)</th><th>OK</th><th>Rules</th><th>Notes</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

export function failuresPage(m: ReportModel): string {
  const nav = navFor(m, '');
  const link = ruleLinker(m, '');
  let body = '';
  for (const run of m.runs) {
    const fails = run.results.tests.filter(isFailure);
    body += `<h2 id="${esc(run.slug)}">${esc(run.label)}: ${fails.length} failure${fails.length === 1 ? '' : 's'}</h2>`;
    if (!fails.length) body += '<p>None.</p>';
    for (const t of fails) {
      body += `<section class="failure" id="${esc(failureAnchor(run, t))}">
<h3>${badge(t.status)} <code>${esc(t.id)}</code> — ${esc(t.title)}</h3>
${t.reason ? `<p>${esc(t.reason)}</p>` : ''}
<p>Rules: ${ruleList(t.rules, link) || '—'}</p>
${t.replay ? `<p>Replay:</p><pre class="replay">${esc(t.replay)}</pre>` : '<p class="muted">No replay line recorded.</p>'}
${t.trace?.length ? `<p>Trace (${t.trace.length} step${t.trace.length === 1 ? '' : 's'}):</p>${traceTable(t.trace, link)}` : '<p class="muted">No trace recorded.</p>'}
</section>`;
    }
  }
  return page('Failures', nav, body);
}

