// The runs a report compares (one per results file) and the per-run summary every output format
// shares: the JSON summary, the HTML pages, JUnit and KTAP.
import type { EdgeStatus } from './coverage.ts';
import { RULE_STATUSES, TEST_STATUSES, type Results, type RuleStatus, type TestResult, type TestStatus } from './results.ts';

export interface Run {
  /** Position among the report's inputs, from 0. */
  index: number;
  /** 'ring', 'kernel 7.2.12', or with '#2' when two inputs would read the same. */
  label: string;
  /** The label made safe for ids and file names. */
  slug: string;
  results: Results;
}

export function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

export function toRuns(results: readonly Results[]): Run[] {
  const used = new Map<string, number>();
  return results.map((r, index) => {
    const base = r.kernel ? `${r.backend} ${r.kernel}` : r.backend;
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    const label = n === 1 ? base : `${base} #${n}`;
    return { index, label, slug: slug(label), results: r };
  });
}

export interface RunSummary {
  label: string;
  backend: string;
  kernel: string | null;
  device: string | Record<string, unknown>;
  machine: string | null;
  seed: number | string | null;
  durationMs: number | null;
  tests: Record<TestStatus, number> & { total: number };
  rules: Record<RuleStatus, number> & { total: number };
  /** Edge coverage per machine drawn by the report. */
  edges: Record<string, Record<EdgeStatus, number> & { total: number }>;
  failures: Array<{ id: string; title: string; status: TestStatus; reason: string | null; replay: string | null }>;
  /** No test failed or errored, and every rule listed passed or is unsupported. */
  ok: boolean;
}

export interface ReportSummary {
  ok: boolean;
  runs: RunSummary[];
  /** Status of every rule in every run (null where the run does not list it), by rule id then run label. */
  rules: Record<string, Record<string, RuleStatus | null>>;
}

export const isFailure = (t: TestResult) => t.status === 'FAIL' || t.status === 'ERROR';

export function summarizeRun(run: Run, edges: RunSummary['edges']): RunSummary {
  const r = run.results;
  const tests = Object.fromEntries([...TEST_STATUSES.map((s) => [s, 0]), ['total', r.tests.length]]) as RunSummary['tests'];
  for (const t of r.tests) tests[t.status]++;
  const ruleList = Object.values(r.coverage.rules);
  const rules = Object.fromEntries([...RULE_STATUSES.map((s) => [s, 0]), ['total', ruleList.length]]) as RunSummary['rules'];
  for (const s of ruleList) rules[s]++;
  return {
    label: run.label,
    backend: r.backend,
    kernel: r.kernel,
    device: r.device,
    machine: r.machine ?? null,
    seed: r.seed ?? null,
    durationMs: typeof r.durationMs === 'number' ? r.durationMs : null,
    tests,
    rules,
    edges,
    failures: r.tests.filter(isFailure).map((t) => ({ id: t.id, title: t.title, status: t.status, reason: t.reason ?? null, replay: t.replay ?? null })),
    ok: tests.FAIL === 0 && tests.ERROR === 0 && rules.FAIL === 0 && rules.UNCOVERED === 0,
  };
}

export function summarize(runs: readonly Run[], ruleIds: readonly string[], edges: (run: Run) => RunSummary['edges']): ReportSummary {
  const summaries = runs.map((run) => summarizeRun(run, edges(run)));
  const rules: ReportSummary['rules'] = {};
  for (const id of ruleIds) {
    rules[id] = Object.fromEntries(runs.map((run) => [run.label, run.results.coverage.rules[id] ?? null]));
  }
  return { ok: summaries.every((s) => s.ok), runs: summaries, rules };
}

/** One line that names a device: the string, or the object's `name` / `id`, or its JSON. */
export function deviceText(d: string | Record<string, unknown>): string {
  if (typeof d === 'string') return d;
  for (const k of ['name', 'id', 'card']) if (typeof d[k] === 'string') return d[k] as string;
  return JSON.stringify(d);
}
