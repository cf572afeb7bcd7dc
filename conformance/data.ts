// Data tests: what the hardware plays is what was written. They need a backend whose playback
// comes back as capture (snd-aloop, the ring core in loopback mode); elsewhere they are
// UNSUPPORTED with that reason.
import { patternByte, type Command, type DeviceInfo, type Outcome, type PcmBackend, type PcmDevice } from '../spec/device.ts';
import type { TestResult } from '../reports/results.ts';

const PERIOD = 256;
const PERIODS = 4;
const FRAME = 4; // S16_LE stereo

async function exec(dev: PcmDevice, cmd: Command): Promise<Outcome> {
  const r = dev.exec(cmd);
  return r instanceof Promise ? await r : r;
}

async function must(dev: PcmDevice, cmd: Command): Promise<Outcome> {
  const r = await exec(dev, cmd);
  if (!r.ok) throw new Error(`${cmd.type} failed with ${r.errno}`);
  return r;
}

/** Playback on fd 0 and capture on fd 1, both set up and prepared; capture running. */
export async function loop(dev: PcmDevice, sw: { silence_threshold: bigint; silence_size: bigint; stop: bigint }): Promise<void> {
  const params = { access: 'RW_INTERLEAVED', format: 'S16_LE', channels: 2, rate: 48000, period_size: PERIOD, periods: PERIODS } as const;
  const buffer = BigInt(PERIOD * PERIODS);
  for (const [fd, stream] of [[0, 'PLAYBACK'], [1, 'CAPTURE']] as const) {
    await must(dev, { type: 'OPEN', fd, stream, nonblock: true });
    await must(dev, { type: 'HW_PARAMS', fd, params });
    await must(dev, {
      type: 'SW_PARAMS', fd,
      params: {
        avail_min: BigInt(PERIOD), start_threshold: fd === 0 ? buffer : 1n, stop_threshold: fd === 0 ? sw.stop : buffer * 1024n,
        silence_threshold: fd === 0 ? sw.silence_threshold : 0n, silence_size: fd === 0 ? sw.silence_size : 0n,
      },
    });
    await must(dev, { type: 'PREPARE', fd });
  }
  await must(dev, { type: 'START', fd: 1 });
}

/** Runs both devices period by period; writes `total` pattern frames, returns what capture read. */
export async function pump(dev: PcmDevice, total: number, periodsAfter: number): Promise<Uint8Array> {
  const captured: Uint8Array[] = [];
  let written = 0;
  const read = async () => {
    const r = await exec(dev, { type: 'READI', fd: 1, frames: PERIOD * PERIODS });
    if (r.ok && r.data) captured.push(r.data);
  };
  for (let guard = 0; guard < 10_000; guard++) {
    if (written < total) {
      const r = await exec(dev, { type: 'WRITEI', fd: 0, frames: Math.min(PERIOD, total - written) });
      if (r.ok) written += Number(r.value);
    }
    const playback = await exec(dev, { type: 'PEEK', fd: 0 });
    const running = playback.ok && playback.peek?.state === 'RUNNING';
    if (!running && written >= total) break; // played out (an underrun at the end of the data)
    if (running) {
      await exec(dev, { type: 'ADVANCE', fd: 0, frames: PERIOD });
      await exec(dev, { type: 'ADVANCE', fd: 1, frames: PERIOD });
      await read();
      if (written >= total && periodsAfter-- <= 0) break;
    }
  }
  const out = new Uint8Array(captured.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of captured) out.set(c, at), (at += c.length);
  return out;
}

export interface FrameCheck {
  lost: number;
  corrupted: number;
  /** Frames after the data that are not silence. */
  trailingNoise: number;
}

/** Finds the pattern's first frame and compares what follows it. */
export function checkFrames(bytes: Uint8Array, total: number): FrameCheck {
  const frames = bytes.length / FRAME;
  const frameAt = (f: number) => bytes.subarray(f * FRAME, f * FRAME + FRAME);
  const isPattern = (f: number, n: number) => frameAt(f).every((b, i) => b === patternByte(n, i));
  let start = 0;
  while (start < frames && !isPattern(start, 0)) start++;
  let corrupted = 0;
  let n = 0;
  for (; n < total && start + n < frames; n++) if (!isPattern(start + n, n)) corrupted++;
  let trailingNoise = 0;
  for (let f = start + n; f < frames; f++) if (frameAt(f).some((b) => b !== 0)) trailingNoise++;
  return { lost: total - n, corrupted, trailingNoise };
}

export async function runDataTests(backend: PcmBackend, info: DeviceInfo, replayTarget: string): Promise<{ result: TestResult }[]> {
  const unsupported = info.loopback ? null : `${info.device} has no loopback: what it plays cannot be read back`;
  const cases = [
    {
      id: 'data/loopback-intact',
      title: 'every frame written to playback comes back through the loopback capture, in order and unaltered',
      rules: ['pcm.xfer.ok', 'device.advance.running', 'ring.ptr.wrap'],
      sw: { silence_threshold: 0n, silence_size: 0n, stop: BigInt(PERIOD * PERIODS) },
      total: PERIOD * PERIODS * 6,
      after: PERIODS + 1,
      check: (c: FrameCheck) => (c.lost === 0 && c.corrupted === 0 ? null : `${c.lost} frames lost, ${c.corrupted} corrupted`),
    },
    {
      id: 'data/silence-fill',
      title: 'with free-running silence filling, the hardware plays silence, not stale buffer data, once the written frames run out',
      rules: ['ring.silence.fill', 'pcm.sw-params.ok'],
      sw: { silence_threshold: 0n, silence_size: 1n << 62n, stop: 1n << 62n },
      total: PERIOD * PERIODS * 2 + PERIOD,
      after: PERIODS * 2,
      check: (c: FrameCheck) =>
        c.lost === 0 && c.corrupted === 0 && c.trailingNoise === 0 ? null : `${c.lost} lost, ${c.corrupted} corrupted, ${c.trailingNoise} stale frames played after the data`,
    },
  ];
  const out: { result: TestResult }[] = [];
  for (const c of cases) {
    const base = { id: c.id, title: c.title, rules: c.rules, replay: `alsa-spec check --backend ${replayTarget} --only ${c.id}` };
    if (unsupported) {
      out.push({ result: { ...base, status: 'UNSUPPORTED', reason: unsupported } });
      continue;
    }
    const dev = await backend.open();
    try {
      await loop(dev, c.sw);
      const problem = c.check(checkFrames(await pump(dev, c.total, c.after), c.total));
      out.push({ result: problem ? { ...base, status: 'FAIL', reason: problem } : { ...base, status: 'PASS' } });
    } catch (e) {
      out.push({ result: { ...base, status: 'ERROR', reason: (e as Error).message } });
    } finally {
      await dev.dispose();
    }
  }
  return out;
}
