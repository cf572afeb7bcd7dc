// `alsa-spec diff A.json B.json`: what changed between two runs (kernel 6.1 against 7.2, the ring
// core against a kernel), per rule, per test and per transition, as wpt.fyi shows run diffs:
// added / removed / changed / unchanged. A regression is a rule or a test that PASSed in A and
// is anything else in B; it makes the command exit non-zero. Transitions compare whether they
// were taken (count > 0), not how often: random exploration varies the counts from run to run,
// so a transition that was no longer taken is reported as changed but is not a regression.
import type { Results, RuleStatus, TestStatus } from './results.ts';
import { deviceText } from './runs.ts';

export const CHANGES = ['added', 'removed', 'changed', 'unchanged'] as const;
export type Change = (typeof CHANGES)[number];

export interface DiffEntry<S> {
  key: string;
  change: Change;
  a: S | null;
  b: S | null;
  /** PASS in A, present in B with another status. */
  regression: boolean;
}

export interface ResultsDiff {
  a: { backend: string; kernel: string | null; device: string };
  b: { backend: string; kernel: string | null; device: string };
  rules: DiffEntry<RuleStatus>[];
  tests: DiffEntry<TestStatus>[];
  /** Counts per `FROM --EVENT--> TO` key; per-machine sections are keyed `machine: FROM --EVENT--> TO`. */
  transitions: DiffEntry<number>[];
  counts: Record<'rules' | 'tests' | 'transitions', Record<Change, number>>;
  regressions: number;
}

function compare<S>(a: ReadonlyMap<string, S>, b: ReadonlyMap<string, S>, same: (x: S, y: S) => boolean, isPass: (s: S) => boolean): DiffEntry<S>[] {
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return keys.map((key) => {
    const va = a.has(key) ? a.get(key)! : null;
    const vb = b.has(key) ? b.get(key)! : null;
    const change: Change = va === null ? 'added' : vb === null ? 'removed' : same(va, vb) ? 'unchanged' : 'changed';
    return { key, change, a: va, b: vb, regression: va !== null && vb !== null && isPass(va) && !isPass(vb) };
  });
}

function transitionCounts(r: Results): Map<string, number> {
  const m = new Map<string, number>(Object.entries(r.coverage.transitions));
  for (const [machine, section] of Object.entries(r.coverage.machines ?? {})) {
    for (const [k, n] of Object.entries(section.transitions)) m.set(`${machine}: ${k}`, n);
  }
  return m;
}

function tally<S>(entries: readonly DiffEntry<S>[]): Record<Change, number> {
  const c: Record<Change, number> = { added: 0, removed: 0, changed: 0, unchanged: 0 };
  for (const e of entries) c[e.change]++;
  return c;
}

export function diffResults(a: Results, b: Results): ResultsDiff {
  const rules = compare(new Map(Object.entries(a.coverage.rules)), new Map(Object.entries(b.coverage.rules)), (x, y) => x === y, (s) => s === 'PASS');
  const tests = compare(new Map(a.tests.map((t) => [t.id, t.status])), new Map(b.tests.map((t) => [t.id, t.status])), (x, y) => x === y, (s) => s === 'PASS');
  const transitions = compare(transitionCounts(a), transitionCounts(b), (x, y) => x > 0 === y > 0, () => false);
  const who = (r: Results) => ({ backend: r.backend, kernel: r.kernel, device: deviceText(r.device) });
  return {
    a: who(a),
    b: who(b),
    rules,
    tests,
    transitions,
    counts: { rules: tally(rules), tests: tally(tests), transitions: tally(transitions) },
    regressions: [...rules, ...tests].filter((e) => e.regression).length,
  };
}

const label = (r: ResultsDiff['a']) => `${r.backend}${r.kernel ? ` ${r.kernel}` : ''} (${r.device})`;

/** The diff as text: counts per section, then every entry that is not unchanged (`verbose`: all). */
export function formatDiff(d: ResultsDiff, opts: { verbose?: boolean } = {}): string {
  const out = [`A: ${label(d.a)}`, `B: ${label(d.b)}`, ''];
  const section = <S>(name: string, entries: readonly DiffEntry<S>[], show: (s: S | null) => string) => {
    const c = tally(entries);
    out.push(`${name}: ${CHANGES.map((k) => `${c[k]} ${k}`).join(', ')}`);
    for (const e of entries) {
      if (e.change === 'unchanged' && !opts.verbose) continue;
      const mark = e.regression ? '  REGRESSION' : '';
      out.push(`  ${e.change.padEnd(9)} ${e.key}: ${show(e.a)} → ${show(e.b)}${mark}`);
    }
  };
  const status = (s: string | null) => s ?? '—';
  section('rules', d.rules, status);
  section('tests', d.tests, status);
  section('transitions', d.transitions, (n) => (n === null ? '—' : n > 0 ? `taken ${n}×` : 'not taken'));
  out.push('');
  out.push(d.regressions ? `${d.regressions} regression${d.regressions === 1 ? '' : 's'} (PASS in A, not in B)` : 'no regression');
  return `${out.join('\n')}\n`;
}
