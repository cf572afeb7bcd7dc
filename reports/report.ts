// `alsa-spec report`: results files → a static HTML report that opens from disk (summary, a page
// per rule, tests, failures with trace and replay, diagrams with coverage overlays), plus
// summary.json, junit.xml and results.ktap.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AnyStateMachine } from 'xstate';
import type { RuleDoc } from '../spec/parse.ts';
import { RULES } from '../spec/rules.generated.ts';
import { countStatuses, coverageOverlay, type Overlay } from './coverage.ts';
import { machineDir } from './diagrams.ts';
import { machineGraph } from './graph.ts';
import { CSS } from './html.ts';
import { toJUnit } from './junit.ts';
import { toKtap } from './ktap.ts';
import { diagramPage } from './report-diagrams.ts';
import { failuresPage, ruleFile, rulePage, rulesIndexPage, summaryPage, testsPage, type ReportModel } from './report-pages.ts';
import type { Results } from './results.ts';
import { summarize, toRuns, type ReportSummary } from './runs.ts';

export interface ReportOptions {
  /** Machines to draw with each run's coverage overlay. */
  machines?: readonly AnyStateMachine[];
  /** The rule registry; the spec's by default. */
  rules?: Readonly<Record<string, RuleDoc>>;
}

export interface ReportOutput {
  summary: ReportSummary;
  /** Path of index.html. */
  index: string;
  /** Written files, relative to the output directory. */
  files: string[];
  ms: number;
}

/** Writes the report of `results` (one entry per run) into `outDir`. */
export async function writeReport(results: readonly Results[], outDir: string, opts: ReportOptions = {}): Promise<ReportOutput> {
  const t0 = performance.now();
  if (!results.length) throw new Error('writeReport needs at least one results file');
  const registry: Readonly<Record<string, RuleDoc>> = opts.rules ?? RULES;
  const runs = toRuns(results);
  const graphs = (opts.machines ?? []).map(machineGraph);

  const rules = new Map<string, RuleDoc | null>(Object.values(registry).map((r) => [r.id, r]));
  const unknown = new Set<string>();
  for (const r of results) {
    for (const id of Object.keys(r.coverage.rules)) if (!rules.has(id)) unknown.add(id);
    for (const t of r.tests) for (const id of t.rules) if (!rules.has(id)) unknown.add(id);
  }
  for (const g of graphs) for (const e of g.edges) for (const id of e.rules) if (!rules.has(id)) unknown.add(id);
  for (const id of [...unknown].sort()) rules.set(id, null);

  const overlays = new Map<string, Overlay[]>(graphs.map((g) => [g.id, runs.map((run) => coverageOverlay(g, run.results))]));
  const summary = summarize(runs, [...rules.keys()], (run) =>
    Object.fromEntries(
      graphs.map((g) => {
        const c = countStatuses(overlays.get(g.id)![run.index]!.edges);
        return [g.id, { ...c, total: g.edges.length }];
      }),
    ),
  );
  const model: ReportModel = { runs, rules, graphs, overlays, summary, machineHref: (id) => `diagrams/${machineDir(id)}.html` };

  const files = new Map<string, string>();
  files.set('report.css', CSS);
  files.set('index.html', summaryPage(model));
  files.set('rules.html', rulesIndexPage(model));
  files.set('tests.html', testsPage(model));
  files.set('failures.html', failuresPage(model));
  for (const id of rules.keys()) files.set(ruleFile(id), rulePage(model, id));
  for (const g of graphs) files.set(model.machineHref(g.id), await diagramPage(model, g));
  files.set('summary.json', `${JSON.stringify(summary, null, 2)}\n`);
  files.set('junit.xml', toJUnit(runs));
  files.set('results.ktap', toKtap(runs));

  for (const [p, content] of files) {
    const full = join(outDir, p);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return { summary, index: join(outDir, 'index.html'), files: [...files.keys()], ms: performance.now() - t0 };
}
