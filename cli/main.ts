// The alsa-spec command line. Usage errors (unknown command or option, bad value) print the usage
// and exit 2; a failing check exits 1.
import { Command, InvalidArgumentError, Option } from 'commander';
import { check, KERNEL_RANDOM_RUNS } from './check.ts';
import { registerKernelCommands } from './kernel.ts';
import { KERNEL_DEVICES, KERNEL_VERSIONS } from '../reference/kernel/cache.ts';
import { replay } from './replay.ts';
import { registerReportCommands } from './reports.ts';
import { strict, USAGE_EXIT } from './usage.ts';
import { DEFAULT_RING_PROFILES, UsageError } from '../conformance/backends.ts';
import { tableMarkdown, transitionTable } from '../machines/pcm/table.ts';


const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
  return n;
};

export function buildProgram(): Command {
  const program = strict(new Command('alsa-spec'))
    .description('An executable, model-checked specification of the Linux ALSA PCM core')
    .version('0.1.0');

  strict(program.command('check'))
    .description('run the conformance suite (generated paths, random sequences, data tests) against a backend')
    .addOption(new Option('--backend <name>', 'backend to check: the embedded ring core, or a real kernel in QEMU').choices(['ring-core', 'kernel']).default('ring-core'))
    .option('--profile <names>', `ring-core device profiles, comma-separated`, DEFAULT_RING_PROFILES.join(','))
    .addOption(new Option('--kernel <version>', 'kernel backend: the Debian kernel to boot').choices([...KERNEL_VERSIONS]).default('7.2'))
    .addOption(new Option('--device <name>', 'kernel backend: the sound driver (snd-dummy, snd-aloop, QEMU\'s Intel HDA)').choices([...KERNEL_DEVICES]).default('dummy'))
    .option('--kernel-dir <dir>', 'kernel backend: boot this provisioned kernel (from `kernel setup --kernel-image … --modules …`)')
    .option('--cache <dir>', 'kernel backend: cache directory (default: $ALSA_SPEC_CACHE or ~/.cache/alsa-spec)')
    .option('--seed <n>', 'seed of the random sequences', int('--seed'), 1)
    .option('--runs <n>', `random sequences per machine (on a kernel backend the default is ${KERNEL_RANDOM_RUNS})`, int('--runs'), 200)
    .option('--max-commands <n>', 'commands per random sequence', int('--max-commands'), 40)
    .option('--out <dir>', 'where results.json, pcm.dot, the transition table and the report go', 'out')
    .option('--only <id>', 'run only the tests whose id starts with this (e.g. full/paths/1/12)')
    .option('--no-report', 'skip the HTML report')
    .option('--no-progress', 'no progress display')
    .action(async (o, cmd: Command) => {
      process.exitCode = await check({
        backend: o.backend,
        kernel: o.kernel,
        device: o.device,
        kernelDir: o.kernelDir,
        cacheDir: o.cache,
        runsGiven: cmd.getOptionValueSource('runs') !== 'default',
        profiles: String(o.profile).split(',').filter(Boolean),
        seed: o.seed,
        runs: o.runs,
        maxCommands: o.maxCommands,
        out: o.out,
        only: o.only,
        report: o.report,
        progress: o.progress,
      });
    });

  strict(program.command('table'))
    .description("print a machine's transition table")
    .argument('<machine>', 'pcm (one file) or pcm2 (two linkable files)')
    .option('--json', 'rows as JSON: { from, event, capabilities, to, errno, rules }')
    .action((machine: string, o) => {
      if (machine !== 'pcm' && machine !== 'pcm2') throw new UsageError(`unknown machine '${machine}' (machines: pcm, pcm2)`);
      const rows = transitionTable(machine === 'pcm' ? 1 : 2);
      process.stdout.write(
        o.json
          ? `${JSON.stringify(rows.map(({ from, event, capabilities, to, errno, rules }) => ({ from, event, capabilities, to, errno, rules })), null, 1)}\n`
          : tableMarkdown(rows),
      );
    });

  strict(program.command('replay'))
    .description('replay a command sequence (a replay line from a failure) on the model and a backend, step by step')
    .addOption(new Option('--backend <name>', 'backend').choices(['ring-core', 'kernel']).makeOptionMandatory())
    .option('--profile <name>', 'ring-core profile', 'full')
    .addOption(new Option('--kernel <version>', 'kernel backend: the Debian kernel').choices([...KERNEL_VERSIONS]).default('7.2'))
    .addOption(new Option('--device <name>', 'kernel backend: the sound driver').choices([...KERNEL_DEVICES]).default('dummy'))
    .option('--cache <dir>', 'kernel backend: cache directory')
    .option('--files <n>', 'files the model follows (1 or 2)', int('--files'), 1)
    .argument('<commands>', 'the commands as JSON (bigints as "123n")')
    .action(async (commands: string, o) => {
      process.exitCode = await replay({ backend: o.backend, profile: o.profile, files: o.files, commands, kernel: o.kernel, device: o.device, cacheDir: o.cache });
    });

  registerReportCommands(program);
  registerKernelCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = USAGE_EXIT;
      return;
    }
    throw e;
  }
}

await main(process.argv);
