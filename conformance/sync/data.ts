// Data through non-coherent buffers: the loopback of conformance/data.ts on a device whose buffers
// have two views. With EXPLICIT_SYNC every written frame crosses to the device and back to the CPU
// intact, and silence replaces played-out frames; without it (a managed buffer allocated on
// demand, sync.explicit.managed) the device plays memory the CPU never flushed, and capture reads
// cache the device never filled: not one frame arrives.
import type { PcmBackend } from '../../spec/device.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import type { TestResult } from '../../reports/results.ts';
import { checkFrames, GEOMETRY, loop, pump, type FrameCheck } from '../data.ts';

const G = GEOMETRY.virtual;
const PERIOD = G.period;
const PERIODS = G.periods;

export type DataExpectation = 'intact' | 'lost';

interface Case {
  id: string;
  title: string;
  rules: RuleId[];
  sw: { silence_threshold: bigint; silence_size: bigint; stop: bigint };
  total: number;
  after: number;
  check: (c: FrameCheck) => string | null;
}

function cases(expect: DataExpectation): Case[] {
  if (expect === 'lost') {
    return [{
      id: 'data/unsynced-lost',
      title: 'without EXPLICIT_SYNC on a buffer that needs syncing, nothing written to playback reaches the loopback capture: no sync point runs',
      rules: ['sync.explicit.managed', 'sync.point.gate', 'sync.view.cpu-write', 'sync.view.device-write'],
      sw: { silence_threshold: 0n, silence_size: 0n, stop: BigInt(PERIOD * PERIODS) },
      total: PERIOD * PERIODS * 4,
      after: PERIOD * PERIODS * 2,
      check: (c) => (c.lost === PERIOD * PERIODS * 4 ? null : `${PERIOD * PERIODS * 4 - c.lost} frames arrived although no sync ran`),
    }];
  }
  return [
    {
      id: 'data/synced-intact',
      title: 'through two-view buffers with EXPLICIT_SYNC, every frame written to playback comes back through the loopback capture intact',
      rules: ['sync.xfer.write', 'sync.xfer.read', 'sync.view.cpu-write', 'sync.view.device-write', 'sync.explicit.managed'],
      sw: { silence_threshold: 0n, silence_size: 0n, stop: BigInt(PERIOD * PERIODS) },
      total: PERIOD * PERIODS * 6,
      after: PERIOD * PERIODS * 2,
      check: (c) => (c.lost === 0 && c.corrupted === 0 ? null : `${c.lost} frames lost, ${c.corrupted} corrupted`),
    },
    {
      id: 'data/synced-silence',
      title: 'with EXPLICIT_SYNC, silence filling reaches the device: once the written frames run out it plays silence, not stale memory',
      rules: ['sync.silence.fill', 'sync.view.cpu-write'],
      sw: { silence_threshold: 0n, silence_size: 1n << 62n, stop: 1n << 62n },
      total: PERIOD * PERIODS * 2 + PERIOD,
      after: PERIOD * PERIODS * 2,
      check: (c) => (c.lost === 0 && c.corrupted === 0 && c.trailingNoise === 0 ? null : `${c.lost} lost, ${c.corrupted} corrupted, ${c.trailingNoise} stale frames played after the data`),
    },
  ];
}

export async function runSyncDataTests(backend: PcmBackend, profile: string, expect: DataExpectation): Promise<TestResult[]> {
  const out: TestResult[] = [];
  for (const c of cases(expect)) {
    const id = `${profile}/${c.id}`;
    const base = { id, title: c.title, rules: c.rules, replay: `alsa-spec check --only sync/${id}` };
    const dev = await backend.open();
    try {
      if (!dev.info.loopback) {
        out.push({ ...base, status: 'UNSUPPORTED', reason: `${dev.info.device} has no loopback` });
        continue;
      }
      await loop(dev, G, c.sw);
      const problem = c.check(checkFrames((await pump(dev, G, c.total, c.after)).bytes, c.total));
      out.push(problem ? { ...base, status: 'FAIL', reason: problem } : { ...base, status: 'PASS' });
    } catch (e) {
      out.push({ ...base, status: 'ERROR', reason: (e as Error).message });
    } finally {
      await dev.dispose();
    }
  }
  return out;
}
