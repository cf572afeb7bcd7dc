// `alsa-spec replay`: one command sequence on the model and a backend, printed step by step.
import type { Command, PcmBackend } from '../spec/device.ts';
import type { KernelDeviceName, KernelVersion } from '../reference/kernel/cache.ts';
import { parse, describe } from '../conformance/codec.ts';
import { pcmProfile, UsageError } from '../conformance/backends.ts';
import { Model, modelInput } from '../conformance/model.ts';
import { runSequence } from '../conformance/session.ts';

export async function replay(o: {
  backend: string; profile: string; files: number; commands: string; kernel?: KernelVersion; device?: KernelDeviceName; cacheDir?: string;
}): Promise<number> {
  if (o.backend !== 'ring-core' && o.backend !== 'kernel') throw new UsageError(`unknown backend '${o.backend}' (backends: ring-core, kernel)`);
  if (o.files !== 1 && o.files !== 2) throw new UsageError('--files must be 1 or 2');
  let commands: Command[];
  try {
    commands = parse<Command[]>(o.commands);
    if (!Array.isArray(commands)) throw new Error('not an array');
  } catch (e) {
    throw new UsageError(`the commands are not a JSON array of commands: ${(e as Error).message}`);
  }
  let backend: PcmBackend;
  if (o.backend === 'kernel') {
    const { KernelBackend } = await import('../reference/kernel/device.ts');
    backend = new KernelBackend({ kernel: o.kernel ?? '7.2', device: o.device ?? 'dummy', provision: true, ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}) });
  } else {
    backend = pcmProfile(o.profile);
  }
  let r;
  try {
    const device = await backend.open();
    r = await runSequence(new Model(modelInput(device.info, o.files as 1 | 2)), device, commands);
    await device.dispose();
  } finally {
    await backend.shutdown();
  }
  r.steps.forEach((s, k) => {
    const mark = s.divergence ? '✗' : '✓';
    process.stdout.write(`${mark} ${k + 1}. ${describe(commands[k]!)}\n     model   ${s.model}\n     backend ${s.backend}\n`);
    if (s.transitions.length) process.stdout.write(`     ${s.transitions.join(', ')}\n`);
    if (s.divergence) process.stdout.write(`     divergence: ${s.divergence}\n`);
  });
  process.stdout.write(`${r.status}${r.message ? `: ${r.message}` : ''}\n`);
  return r.status === 'PASS' ? 0 : 1;
}
