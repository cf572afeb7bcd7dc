// `alsa-spec replay`: one command sequence on the model and a backend, printed step by step.
import type { Command } from '../spec/device.ts';
import { parse, describe } from '../conformance/codec.ts';
import { ringProfile, UsageError } from '../conformance/backends.ts';
import { Model, modelInput } from '../conformance/model.ts';
import { runSequence } from '../conformance/session.ts';

export async function replay(o: { backend: string; profile: string; files: number; commands: string }): Promise<number> {
  if (o.backend !== 'ring-core') throw new UsageError(`unknown backend '${o.backend}' (backends: ring-core)`);
  if (o.files !== 1 && o.files !== 2) throw new UsageError('--files must be 1 or 2');
  let commands: Command[];
  try {
    commands = parse<Command[]>(o.commands);
    if (!Array.isArray(commands)) throw new Error('not an array');
  } catch (e) {
    throw new UsageError(`the commands are not a JSON array of commands: ${(e as Error).message}`);
  }
  const backend = ringProfile(o.profile);
  const device = await backend.open();
  const r = await runSequence(new Model(modelInput(device.info, o.files as 1 | 2)), device, commands);
  await device.dispose();
  r.steps.forEach((s, k) => {
    const mark = s.divergence ? '✗' : '✓';
    process.stdout.write(`${mark} ${k + 1}. ${describe(commands[k]!)}\n     model   ${s.model}\n     backend ${s.backend}\n`);
    if (s.transitions.length) process.stdout.write(`     ${s.transitions.join(', ')}\n`);
    if (s.divergence) process.stdout.write(`     divergence: ${s.divergence}\n`);
  });
  process.stdout.write(`${r.status}${r.message ? `: ${r.message}` : ''}\n`);
  return r.status === 'PASS' ? 0 : 1;
}
