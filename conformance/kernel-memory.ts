// What a stock kernel shows of managed buffers and sync points, through a PcmBackend whose
// DeviceInfo.kernel is set (snd-dummy with fake_buffer=0, or snd-aloop, in a VM). The buffer suite
// runs unchanged on it: every step's outcome against the PCM and buffer machines, with the
// expected answers computed from the DeviceInfo.memory the backend reports (the driver's buffer
// setup and the max_alloc_per_card it set) — proc files, the size limits, ENOMEM at the card
// limit; the callback order, which a kernel does not show, is UNSUPPORTED. The sync suite reports
// UNSUPPORTED: no stock virtual driver sets EXPLICIT_SYNC, and the syncs are not observable.
import type { PcmBackend } from '../spec/device.ts';
import { RULE_IDS } from '../spec/rules.generated.ts';
import type { TestResult } from '../reports/results.ts';
import { runBufferSuite } from './buffer/index.ts';
import type { SuiteRun } from './suite.ts';
import { runSyncSuite } from './sync/index.ts';

export interface KernelMemoryOptions {
  seed: number;
  randomRuns: number;
  maxCommands: number;
}

const MEMORY_RULES = RULE_IDS.filter((r) => r.startsWith('buffer.') || r.startsWith('sync.'));

/** The buffer and sync suites on a kernel backend; with none, one UNSUPPORTED test that says why. */
export async function runKernelMemoryChecks(backend: PcmBackend | null, opts: KernelMemoryOptions, why = 'no kernel backend is built in'): Promise<SuiteRun[]> {
  if (!backend) {
    const t: TestResult = {
      id: 'memory',
      title: 'a stock kernel (snd-dummy with fake_buffer=0, snd-aloop) shows the prealloc files, the buffer size limits and ENOMEM at max_alloc_per_card as the machines predict',
      rules: [...MEMORY_RULES],
      status: 'UNSUPPORTED',
      reason: why,
    };
    return [{ tests: [t], machines: {}, passedRules: new Set(), failedRules: new Set(), unsupportedRules: new Set(MEMORY_RULES), planning: [] }];
  }
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
