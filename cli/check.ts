// `alsa-spec check`: the conformance suite on one backend, its results, tables, diagrams, report.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyStateMachine } from 'xstate';
import { RULE_IDS } from '../spec/rules.generated.ts';
import type { RuleStatus, TestResult } from '../reports/results.ts';
import { machineDot } from '../reports/dot.ts';
import { machineGraph } from '../reports/graph.ts';
import { writeReport } from '../reports/report.ts';
import { DIAGRAM_MACHINES } from '../reports/machines.ts';
import { createPcmMachine } from '../machines/pcm/machine.ts';
import { tableMarkdown, transitionTable } from '../machines/pcm/table.ts';
import { allEdges, twoFileEdges } from '../machines/pcm/decide.ts';
import { runAccelSuite } from '../conformance/accel/index.ts';
import { referenceAccelBackend } from '../reference/accel/index.ts';
import { ringProfile, UsageError } from '../conformance/backends.ts';
import { ruleStatus, runPcmSuite, toResults, type SuiteRun } from '../conformance/suite.ts';
import { makeProgress } from './progress.ts';
import { stringify } from '../conformance/codec.ts';

export interface CheckOptions {
  backend: string;
  profiles: string[];
  seed: number;
  runs: number;
  maxCommands: number;
  out: string;
  only?: string;
  report: boolean;
  progress: boolean;
}

const RULE_ORDER: readonly RuleStatus[] = ['PASS', 'FAIL', 'UNCOVERED', 'UNSUPPORTED'];

export async function check(opts: CheckOptions): Promise<number> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  if (opts.backend !== 'ring-core') {
    throw new UsageError(`unknown backend '${opts.backend}' (backends: ring-core)`);
  }
  const progress = makeProgress(opts.progress);
  const runs: { profile: string; run: SuiteRun }[] = [];
  try {
    for (const profile of opts.profiles) {
      const backend = ringProfile(profile);
      process.stderr.write(`ring-core, profile ${profile}:\n`);
      const run = await runPcmSuite(backend, {
        replayTarget: `ring-core --profile ${profile}`,
        seed: opts.seed,
        randomRuns: opts.runs,
        maxCommands: opts.maxCommands,
        progress,
        ...(opts.only ? { only: opts.only.replace(/^[^/]+\//, '') } : {}),
      });
      progress.stop();
      runs.push({ profile, run });
    }
  } finally {
    progress.stop();
  }
  // The accel machine and the reference accelerator (spec/accel), alongside.
  const accelTests: TestResult[] = [];
  const accelRules = new Map<string, RuleStatus>();
  if (!opts.only || opts.only.startsWith('accel')) {
    process.stderr.write('reference accelerator:\n  paths and random sequences\n');
    const accel = await runAccelSuite(referenceAccelBackend(), { seed: opts.seed });
    for (const r of accel.results) accelTests.push({ ...r, id: `accel/${r.id}` });
    for (const [id, st] of Object.entries(accel.coverage.rules)) accelRules.set(id, st);
  }
  const pcmRules = ruleStatus(
    runs.map((r) => r.run),
    RULE_IDS.filter((r) => !r.startsWith('accel.')),
  );
  const rules: Record<string, RuleStatus> = { ...pcmRules };
  for (const id of RULE_IDS.filter((r) => r.startsWith('accel.'))) rules[id] = accelRules.get(id) ?? 'UNCOVERED';

  const results = toResults({
    backend: 'ring-core',
    kernel: null,
    device: { name: 'ring-core', profiles: opts.profiles },
    runs,
    rules,
    seed: opts.seed,
    startedAt,
    durationMs: 0,
    extraTests: accelTests,
  });
  const checkMs = Math.round(performance.now() - t0);
  results.durationMs = checkMs;

  mkdirSync(opts.out, { recursive: true });
  writeFileSync(join(opts.out, 'results.json'), `${JSON.stringify(results, (_k, v) => (typeof v === 'bigint' ? `${v}` : v), 2)}\n`);
  const pcm = createPcmMachine(1) as unknown as AnyStateMachine;
  writeFileSync(join(opts.out, 'pcm.dot'), machineDot(machineGraph(pcm), { view: 'overview' }));
  writeFileSync(join(opts.out, 'pcm-transitions.md'), `# PCM machine: transition table\n\n${tableMarkdown(transitionTable(1))}`);
  let reportMs = 0;
  if (opts.report) {
    const r = await writeReport([results], join(opts.out, 'report'), { machines: DIAGRAM_MACHINES });
    reportMs = Math.round(r.ms);
  }

  // Summary
  const tests = results.tests;
  const count = (s: string) => tests.filter((t) => t.status === s).length;
  const ruleCount = (s: RuleStatus) => Object.values(rules).filter((x) => x === s).length;
  const pcmM = (results.coverage.machines ?? {}) as Record<string, { states: Record<string, number>; transitions: Record<string, number>; edges?: Record<string, number>; edgesTotal?: number }>;
  const lines = [
    '',
    `alsa-spec check — backend ring-core (profiles ${opts.profiles.join(', ')}), seed ${opts.seed}`,
    ...Object.entries(pcmM).map(([id, m]) => {
      const universe = id === 'pcm2' ? twoFileEdges() : new Set(allEdges(1).keys());
      const taken = Object.keys(m.edges ?? {}).filter((e) => universe.has(e)).length;
      const what = id === 'pcm2' ? 'two-file edges (groups, links)' : 'edges';
      return `  machine ${id}: ${Object.keys(m.states).length} states visited, ${Object.keys(m.transitions).length} distinct transitions, ${taken}/${universe.size} ${what} taken`;
    }),
    `  rules: ${RULE_ORDER.map((s) => `${ruleCount(s)} ${s}`).join(', ')} (of ${RULE_IDS.length})`,
    `  tests: ${count('PASS')} passed, ${count('FAIL')} failed, ${count('ERROR')} errors, ${count('UNSUPPORTED')} unsupported (of ${tests.length})`,
    ...runs.flatMap(({ profile, run }) =>
      run.planning.map((p) => `  planning ${profile}/${p.files} file(s): ${p.states} abstract states, ${p.transitions} transitions, ${p.paths} paths in ${p.ms} ms`),
    ),
    `  wrote ${join(opts.out, 'results.json')}, pcm.dot, pcm-transitions.md${opts.report ? `, report/index.html (${reportMs} ms)` : ''}`,
    `  time: ${(checkMs / 1000).toFixed(1)} s`,
  ];
  const failing = tests.filter((t) => t.status === 'FAIL' || t.status === 'ERROR');
  for (const t of failing.slice(0, 10)) {
    lines.push(`  ✗ ${t.id}: ${t.reason ?? t.status}`, `      replay: ${t.replay ?? '(none)'}`);
  }
  if (failing.length > 10) lines.push(`  … and ${failing.length - 10} more failures in results.json`);
  const uncovered = Object.entries(rules).filter(([, s]) => s === 'UNCOVERED' || s === 'FAIL');
  for (const [id, s] of uncovered.slice(0, 20)) lines.push(`  rule ${id}: ${s}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  // A rule no test reaches fails a whole run; a run narrowed by --only cannot reach them all.
  return failing.length > 0 || (!opts.only && uncovered.length > 0) ? 1 : 0;
}

export { stringify };
