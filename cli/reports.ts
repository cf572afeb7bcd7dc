// The reports layer's subcommands for the `alsa-spec` CLI: `diagrams`, `report`, `diff`.
// cli/main.ts calls `registerReportCommands(program)`. The subcommands are strict: an unknown
// option, a missing or an extra argument prints the usage and exits 2; so does a results file
// that is not valid (with a message that says what is wrong where).
import type { Command } from 'commander';
import { strict, USAGE_EXIT } from './usage.ts';
import type { AnyStateMachine } from 'xstate';
import { checkDiagrams, describeCheck, renderDiagrams } from '../reports/diagrams.ts';
import { diffResults, formatDiff } from '../reports/diff.ts';
import { DIAGRAM_MACHINES, DIAGRAMS_DIR } from '../reports/machines.ts';
import { writeReport } from '../reports/report.ts';
import { ResultsError, readResults } from '../reports/results.ts';

export { renderDiagrams, checkDiagrams } from '../reports/diagrams.ts';
export { writeReport } from '../reports/report.ts';
export { diffResults, formatDiff } from '../reports/diff.ts';

export { USAGE_EXIT };

export interface ReportCommandsOptions {
  /** The machines to draw; `DIAGRAM_MACHINES` (reports/machines.ts) by default. */
  machines?: () => readonly AnyStateMachine[] | Promise<readonly AnyStateMachine[]>;
  /** Where the process's output goes (tests capture it). */
  out?: (s: string) => void;
  err?: (s: string) => void;
}

async function guard(err: (s: string) => void, f: () => Promise<void>): Promise<void> {
  try {
    await f();
  } catch (e) {
    if (e instanceof ResultsError) {
      err(`${e.message}\n`);
      process.exitCode = USAGE_EXIT;
      return;
    }
    throw e;
  }
}

export function registerReportCommands(program: Command, options: ReportCommandsOptions = {}): void {
  const out = options.out ?? ((s: string) => void process.stdout.write(s));
  const err = options.err ?? ((s: string) => void process.stderr.write(s));
  const machines = async () => [...(await (options.machines?.() ?? DIAGRAM_MACHINES))];

  strict(program.command('diagrams'))
    .description('draw every machine: DOT, SVG, Mermaid, a Markdown transition table and rvgen automata')
    .option('--out <dir>', 'output directory', DIAGRAMS_DIR)
    .option('--check', 'compare the files in the output directory with the machines instead of writing them (exit 1 when stale)')
    .action(async (opts: { out: string; check?: boolean }) => {
      const list = await machines();
      const t0 = performance.now();
      if (opts.check) {
        const c = await checkDiagrams(list, opts.out);
        (c.ok ? out : err)(`${describeCheck(c, opts.out)} (${(performance.now() - t0).toFixed(0)} ms)\n`);
        if (!c.ok) process.exitCode = 1;
        return;
      }
      const r = await renderDiagrams(list, opts.out);
      out(`diagrams: ${list.length} machine${list.length === 1 ? '' : 's'}, ${r.files.length} files in ${opts.out}${r.removed.length ? `, removed ${r.removed.length} stale` : ''} (${r.ms.toFixed(0)} ms)\n`);
    });

  strict(program.command('report'))
    .description('write a static HTML report (plus summary.json, junit.xml, results.ktap) of one or more results files')
    .argument('<results...>', 'results.json files, one per run')
    .option('--out <dir>', 'output directory', 'out/report')
    .action((files: string[], opts: { out: string }) =>
      guard(err, async () => {
        const results = files.map(readResults);
        const r = await writeReport(results, opts.out, { machines: await machines() });
        const bad = r.summary.runs.filter((s) => !s.ok).length;
        out(`report: ${r.index} (${results.length} run${results.length === 1 ? '' : 's'}${bad ? `, ${bad} with failures` : ''}; ${r.files.length} files) (${r.ms.toFixed(0)} ms)\n`);
      }),
    );

  strict(program.command('diff'))
    .description('compare two results files per rule, test and transition; exit 1 on a regression (PASS in A, anything else in B)')
    .argument('<a>', 'the baseline results.json')
    .argument('<b>', 'the results.json to compare with it')
    .option('--json', 'print the diff as JSON')
    .option('--verbose', 'list unchanged entries too')
    .action((a: string, b: string, opts: { json?: boolean; verbose?: boolean }) =>
      guard(err, async () => {
        const d = diffResults(readResults(a), readResults(b));
        out(opts.json ? `${JSON.stringify(d, null, 2)}\n` : formatDiff(d, { verbose: opts.verbose ?? false }));
        if (d.regressions) process.exitCode = 1;
      }),
    );
}
