// What a stock kernel shows of managed buffers and sync points, through a PcmBackend whose
// DeviceInfo.kernel is set (snd-dummy with fake_buffer=0, or snd-aloop, in a VM). The buffer suite
// runs unchanged on it: every step's outcome against the PCM and buffer machines, with the
// expected answers computed from the DeviceInfo.memory the backend reports (the driver's buffer
// setup and the max_alloc_per_card it set) — proc files, the size limits, ENOMEM at the card
// limit; the callback order, which a kernel does not show, is UNSUPPORTED. The sync suite reports
// UNSUPPORTED: no stock virtual driver sets EXPLICIT_SYNC, and the syncs are not observable.
import type { PcmBackend } from '../spec/device.ts';
import { runBufferSuite } from './buffer/index.ts';
import type { SuiteRun } from './suite.ts';
import { runSyncSuite } from './sync/index.ts';

export interface KernelMemoryOptions {
  seed: number;
  randomRuns: number;
  maxCommands: number;
}

/** The buffer and sync suites on a kernel backend. */
export async function runKernelMemoryChecks(backend: PcmBackend, opts: KernelMemoryOptions): Promise<SuiteRun[]> {
  const probe = await backend.open();
  const info = probe.info;
  await probe.dispose();
  if (info.kernel === null) throw new Error(`${info.backend} is not a kernel backend`);
  const runs: SuiteRun[] = [];
  for (const dir of (['PLAYBACK', 'CAPTURE'] as const).filter((d) => info.streams[d])) {
    runs.push(await runBufferSuite(backend, { profile: `${info.device}/${dir}`, dir, ...opts }));
  }
  runs.push(await runSyncSuite(backend, { profile: info.device, seed: opts.seed, randomRuns: 0, maxCommands: opts.maxCommands, data: 'intact' }));
  return runs;
}
