// The `alsa-spec kernel …` subcommands. cli/main.ts registers them with registerKernelCommands();
// run directly (`tsx cli/kernel.ts setup`) this file is a CLI of its own.
import { Command, Option } from 'commander';
import { pathToFileURL } from 'node:url';
import { KERNEL_VERSIONS, SetupError, kernelSetup, kernelSources, type KernelVersion } from '../reference/kernel/setup.ts';

export function registerKernelCommands(program: Command): Command {
  const kernel = program.command('kernel').description('the real-kernel backend: Debian kernels in QEMU');
  kernel
    .command('setup')
    .description('install QEMU and busybox, fetch Debian kernels 7.2 and 6.1, build an initramfs per kernel (idempotent)')
    .addOption(new Option('--kernel <version>', 'only this kernel').choices([...KERNEL_VERSIONS]))
    .option('--cache <dir>', 'cache directory (default: $ALSA_SPEC_CACHE or ~/.cache/alsa-spec)')
    .option('--kernel-image <file>', 'use your own kernel image (with --modules)')
    .option('--modules <dir>', 'the lib/modules/<release> directory of --kernel-image')
    .action(async (o: { kernel?: KernelVersion; cache?: string; kernelImage?: string; modules?: string }) => {
      try {
        const t0 = Date.now();
        const done = await kernelSetup({
          ...(o.kernel ? { kernels: [o.kernel] } : {}),
          ...(o.cache ? { cacheDir: o.cache } : {}),
          ...(o.kernelImage ? { kernelImage: o.kernelImage } : {}),
          ...(o.modules ? { modules: o.modules } : {}),
        });
        for (const p of done) console.log(`${p.kernel}\t${p.release}\t${p.devices.join(',')}\t${p.dir}`);
        console.log(`kernel setup: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      } catch (e) {
        if (e instanceof SetupError) {
          console.error(`kernel setup failed: ${e.message}`);
          process.exitCode = 1;
          return;
        }
        throw e;
      }
    });
  kernel
    .command('sources')
    .description("unpack the cited parts of Debian's kernel sources (sound/, headers, rvgen) for the ABI and rvgen tests (idempotent)")
    .addOption(new Option('--kernel <version>', 'only this kernel').choices([...KERNEL_VERSIONS]))
    .option('--cache <dir>', 'cache directory (default: $ALSA_SPEC_CACHE or ~/.cache/alsa-spec)')
    .action((o: { kernel?: KernelVersion; cache?: string }) => {
      try {
        for (const k of o.kernel ? [o.kernel] : KERNEL_VERSIONS) console.log(`${k}\t${kernelSources(k, o.cache ? { cacheDir: o.cache } : {})}`);
      } catch (e) {
        if (e instanceof SetupError) {
          console.error(`kernel sources failed: ${e.message}`);
          process.exitCode = 1;
          return;
        }
        throw e;
      }
    });
  return kernel;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const program = new Command('alsa-spec');
  registerKernelCommands(program);
  await program.parseAsync(['node', 'alsa-spec', 'kernel', ...process.argv.slice(2)]);
}
