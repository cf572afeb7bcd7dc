// Data tests: what the hardware plays is what was written. They need a backend whose playback
// comes back as capture (snd-aloop, the ring core in loopback mode), or one that shows what the
// device played (QEMU's HDA output); elsewhere they are UNSUPPORTED with that reason.
//
// Every frame written is the test pattern of its index (spec/device.ts patternByte, never a zero
// byte), so each captured frame says which frame it is: the check counts frames lost, corrupted,
// reordered and played stale, exactly, whatever the timing. On a device with a virtual clock the
// pump runs the hardware period by period; on a real one it waits for the hardware (ADVANCE) only
// when there is nothing to write or read. Xruns a slow harness causes are counted: a run passes
// with them only when each lost stretch of frames lines up with a capture xrun.
import { fillPattern, patternByte, type Command, type DeviceInfo, type Outcome, type PcmBackend, type PcmDevice } from '../spec/device.ts';
import type { TestResult } from '../reports/results.ts';

const FRAME = 4; // S16_LE stereo

/** Period and periods: small on a virtual clock; on a real device, long enough (43 ms periods,
 * 171 ms buffers at 48 kHz) for a harness under emulation to keep up. */
export const GEOMETRY = { virtual: { period: 256, periods: 4 }, real: { period: 2048, periods: 4 } } as const;
export type Geometry = { period: number; periods: number };

async function exec(dev: PcmDevice, cmd: Command): Promise<Outcome> {
  const r = dev.exec(cmd);
  return r instanceof Promise ? await r : r;
}

async function must(dev: PcmDevice, cmd: Command): Promise<Outcome> {
  const r = await exec(dev, cmd);
  if (!r.ok) throw new Error(`${cmd.type} failed with ${r.errno}`);
  return r;
}

export interface Sw {
  silence_threshold: bigint;
  silence_size: bigint;
  stop: bigint;
}

/** Playback on fd 0 and capture on fd 1, both set up and prepared; capture running. */
export async function loop(dev: PcmDevice, g: Geometry, sw: Sw, mmap = false): Promise<void> {
  const params = { access: 'RW_INTERLEAVED', format: 'S16_LE', channels: 2, rate: 48000, period_size: g.period, periods: g.periods } as const;
  const buffer = BigInt(g.period * g.periods);
  for (const [fd, stream] of [[0, 'PLAYBACK'], [1, 'CAPTURE']] as const) {
    await must(dev, { type: 'OPEN', fd, stream, nonblock: true });
    await must(dev, { type: 'HW_PARAMS', fd, params: fd === 0 && mmap ? { ...params, access: 'MMAP_INTERLEAVED' } : params });
    if (fd === 0 && mmap) await must(dev, { type: 'MMAP', fd, area: 'DATA' });
    await must(dev, {
      type: 'SW_PARAMS', fd,
      params: {
        avail_min: BigInt(g.period), start_threshold: fd === 0 ? buffer : 1n, stop_threshold: fd === 0 ? sw.stop : buffer,
        silence_threshold: fd === 0 ? sw.silence_threshold : 0n, silence_size: fd === 0 ? sw.silence_size : 0n,
      },
    });
    await must(dev, { type: 'PREPARE', fd });
  }
  await must(dev, { type: 'START', fd: 1 });
}

export interface Pumped {
  bytes: Uint8Array;
  /** Playback xruns before every frame was written (the one after the end is the data running out). */
  playbackXruns: number;
  captureXruns: number;
}

/** Writes `total` pattern frames to fd 0 and reads fd 1 until `after` frames past them came back. */
export async function pump(dev: PcmDevice, g: Geometry, total: number, after: number, realTime = false, viaMmap = false): Promise<Pumped> {
  const buffer = g.period * g.periods;
  const captured: Uint8Array[] = [];
  let capturedFrames = 0;
  let written = 0;
  let appl = 0n;
  let endAt = Infinity; // captured frames at which to stop
  let playbackXruns = 0;
  let captureXruns = 0;
  const limit = (total + after) / g.period * 8 + 1000;
  for (let round = 0; round < limit && capturedFrames < endAt; round++) {
    let progressed = false;
    if (written < total) {
      const n = Math.min(g.period, total - written);
      if (viaMmap) {
        // Stores where appl_ptr points, commits with SYNC_PTR, starts by hand once the buffer is
        // full (as mmap applications do).
        const peek = await exec(dev, { type: 'PEEK', fd: 0 });
        const p = peek.ok ? peek.peek : null;
        if (p?.state === 'XRUN') {
          playbackXruns++;
          await must(dev, { type: 'PREPARE', fd: 0 });
          appl = 0n;
        } else if (p && appl - p.hw_ptr + BigInt(n) <= BigInt(buffer)) {
          const data = new Uint8Array(n * FRAME);
          fillPattern(data, written, FRAME);
          await must(dev, { type: 'MAP_WRITE', fd: 0, offset: Number(appl % BigInt(buffer)) * FRAME, frames: n, data });
          appl += BigInt(n);
          await must(dev, { type: 'SYNC_PTR', fd: 0, flags: 4, appl_ptr: appl, avail_min: 0n, compat32: false });
          written += n;
          progressed = true;
          if (p.state === 'PREPARED' && appl >= BigInt(buffer)) await must(dev, { type: 'START', fd: 0 });
        }
      } else {
        const data = new Uint8Array(n * FRAME);
        fillPattern(data, written, FRAME);
        const r = await exec(dev, { type: 'WRITEI', fd: 0, frames: n, data });
        if (r.ok && r.value! > 0n) {
          written += Number(r.value);
          progressed = true;
        } else if (!r.ok && r.errno === 'EPIPE') {
          playbackXruns++; // nothing written is lost: hw_ptr passed appl_ptr
          await must(dev, { type: 'PREPARE', fd: 0 });
        } else if (!r.ok && r.errno !== 'EAGAIN') {
          throw new Error(`WRITEI failed with ${r.errno}`);
        }
      }
      if (written >= total) endAt = capturedFrames + after;
    } else {
      // Fewer than a start threshold's worth written since an underrun: start by hand.
      const peek = await exec(dev, { type: 'PEEK', fd: 0 });
      if (peek.ok && peek.peek?.state === 'PREPARED') await must(dev, { type: 'START', fd: 0 });
    }
    const r = await exec(dev, { type: 'READI', fd: 1, frames: buffer });
    if (r.ok && r.value! > 0n) {
      captured.push(r.data ?? new Uint8Array(Number(r.value) * FRAME));
      capturedFrames += Number(r.value);
      progressed = true;
    } else if (!r.ok && r.errno === 'EPIPE') {
      captureXruns++;
      await must(dev, { type: 'PREPARE', fd: 1 });
      await must(dev, { type: 'START', fd: 1 });
    } else if (!r.ok && r.errno !== 'EAGAIN') {
      throw new Error(`READI failed with ${r.errno}`);
    }
    if (!progressed) {
      // Nothing to write or read: let the hardware run. A real device runs both directions on its
      // own; a virtual one runs each when told.
      if (!realTime) await exec(dev, { type: 'ADVANCE', fd: 0, frames: g.period });
      await exec(dev, { type: 'ADVANCE', fd: 1, frames: realTime ? g.period / 2 : g.period });
    }
  }
  const bytes = new Uint8Array(captured.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of captured) bytes.set(c, at), (at += c.length);
  return { bytes, playbackXruns, captureXruns };
}

export interface FrameCheck {
  /** Pattern frames that never came back. */
  lost: number;
  /** Stretches of consecutive lost frames. */
  gaps: number;
  /** Frames inside the data that are neither a pattern frame nor silence. */
  corrupted: number;
  /** Pattern frames that came back after a later one, before the data ended (stale). */
  reordered: number;
  /** Frames after the last pattern frame that are not silence (stale buffer data). */
  trailingNoise: number;
}

const keyOf = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

/** Consecutive frames that must agree before a frame is taken for a pattern frame out of turn
 * (the pattern's 28 bits a frame can still collide, rarely, for one frame; never for four). */
const RUN = 4;

/** Names every captured frame by its pattern index and counts what went wrong. */
export function checkFrames(bytes: Uint8Array, total: number, frameBytes = FRAME): FrameCheck {
  const frames = Math.floor(bytes.length / frameBytes);
  const keyBytes = Math.min(4, frameBytes);
  const probe = new Uint8Array(4);
  const index = new Map<number, number[]>();
  for (let n = 0; n < total; n++) {
    for (let b = 0; b < keyBytes; b++) probe[b] = patternByte(n, b);
    const k = keyOf(probe, 0);
    const list = index.get(k);
    if (list) list.push(n);
    else index.set(k, [n]);
  }
  const isPattern = (f: number, n: number) => {
    for (let b = 0; b < frameBytes; b++) if (bytes[f * frameBytes + b] !== patternByte(n, b)) return false;
    return true;
  };
  const runAt = (f: number, n: number) => {
    for (let k = 0; k < RUN && f + k < frames && n + k < total; k++) if (!isPattern(f + k, n + k)) return false;
    return true;
  };
  const isSilence = (f: number) => {
    for (let b = 0; b < frameBytes; b++) if (bytes[f * frameBytes + b] !== 0) return false;
    return true;
  };
  const out: FrameCheck = { lost: 0, gaps: 0, corrupted: 0, reordered: 0, trailingNoise: 0 };
  let last = -1; // highest index seen (or stood for by a corrupted frame)
  for (let f = 0; f < frames; f++) {
    if (isSilence(f)) continue;
    if (last + 1 < total && isPattern(f, last + 1)) {
      last++;
      continue;
    }
    for (let b = 0; b < keyBytes; b++) probe[b] = bytes[f * frameBytes + b]!;
    for (let b = keyBytes; b < 4; b++) probe[b] = 0;
    const candidates = (index.get(keyOf(probe, 0)) ?? []).filter((n) => runAt(f, n));
    const next = candidates.find((n) => n > last);
    if (next !== undefined) {
      out.gaps++;
      out.lost += next - last - 1;
      last = next;
    } else if (last >= total - 1) {
      out.trailingNoise++; // after the data: silence was due
    } else if (candidates.length) {
      out.reordered++; // a frame that already came back, again
    } else if (last >= 0) {
      out.corrupted++;
      // One damaged frame stands where the next was due; anything else is noise.
      if (f + 1 < frames && last + 2 < total && isPattern(f + 1, last + 2)) last++;
    }
  }
  if (last < total - 1) {
    out.gaps++;
    out.lost += total - 1 - last;
  }
  return out;
}

function verdict(c: FrameCheck, p: Pumped, silenceAfter: boolean): string | null {
  const xruns = `${p.playbackXruns} playback and ${p.captureXruns} capture xrun(s)`;
  // An underrun plays what is left in the buffer from its previous lap until the interrupt that
  // detects it: frames that come back a second time are stale, and only an xrun explains them.
  if (c.corrupted || (c.reordered && !p.playbackXruns)) return `${c.corrupted} frame(s) corrupted, ${c.reordered} reordered (${c.lost} lost; ${xruns})`;
  if (c.gaps > p.captureXruns) return `${c.lost} frame(s) lost in ${c.gaps} stretch(es), more than the ${p.captureXruns} capture xrun(s) explain (${xruns})`;
  if (silenceAfter && c.trailingNoise) return `${c.trailingNoise} stale frame(s) played after the data (${c.lost} lost, ${xruns})`;
  return null;
}

/** What a run with xruns lost, for the test's title: the loss, counted exactly. */
const tally = (c: FrameCheck, p: Pumped) =>
  p.playbackXruns + p.captureXruns === 0 ? '' : ` (this run: ${p.playbackXruns} playback and ${p.captureXruns} capture xrun(s); ${c.lost} frame(s) lost, in ${c.gaps} stretch(es), each at a capture xrun; ${c.reordered} stale frame(s) replayed at the underruns)`;

/** A backend that can show what its device played (the kernel backend's HDA: QEMU's WAV file). */
export interface PlayedOutput {
  /** Everything the device has played so far, as interleaved S16_LE stereo frames at 48 kHz. */
  played(): Promise<Uint8Array>;
}

const playedRuns = new WeakMap<PcmBackend, number>();

const hasPlayed = (b: PcmBackend): b is PcmBackend & PlayedOutput => typeof (b as Partial<PlayedOutput>).played === 'function';

/** Plays `frames` pattern frames from index `first` and a second of silence, then drains. */
async function playOut(dev: PcmDevice, g: Geometry, first: number, frames: number): Promise<void> {
  const params = { access: 'RW_INTERLEAVED', format: 'S16_LE', channels: 2, rate: 48000, period_size: g.period, periods: g.periods } as const;
  const buffer = BigInt(g.period * g.periods);
  await must(dev, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: false });
  await must(dev, { type: 'HW_PARAMS', fd: 0, params });
  await must(dev, { type: 'SW_PARAMS', fd: 0, params: { avail_min: BigInt(g.period), start_threshold: buffer, stop_threshold: buffer, silence_threshold: 0n, silence_size: 0n } });
  await must(dev, { type: 'PREPARE', fd: 0 });
  const data = new Uint8Array(frames * FRAME);
  fillPattern(data, first, FRAME);
  const w = await must(dev, { type: 'WRITEI', fd: 0, frames, data });
  if (!w.ok || w.value !== BigInt(frames)) throw new Error(`WRITEI wrote ${w.ok ? w.value : w.errno} of ${frames} frames`);
  // QEMU drops the last few hundred frames when a stream stops: pad with silence.
  await must(dev, { type: 'WRITEI', fd: 0, frames: 12000, data: new Uint8Array(12000 * FRAME) });
  await must(dev, { type: 'DRAIN', fd: 0 });
}

export async function runDataTests(backend: PcmBackend, info: DeviceInfo, replayTarget: string): Promise<{ result: TestResult }[]> {
  const realTime = !info.virtualClock;
  const g = realTime ? GEOMETRY.real : GEOMETRY.virtual;
  const buffer = g.period * g.periods;
  const noLoop = info.loopback ? null : `${info.device} has no loopback: what it plays cannot be read back`;
  const noMmap = info.streams.PLAYBACK?.info.includes('MMAP') ? null : `${info.device}'s playback cannot be mapped (no INFO_MMAP)`;
  const cases = [
    {
      id: 'data/loopback-intact',
      title: 'every frame written to playback comes back through the loopback capture, in order and unaltered',
      rules: ['pcm.xfer.ok', 'device.advance.running', 'ring.ptr.wrap'],
      sw: { silence_threshold: 0n, silence_size: 0n, stop: BigInt(buffer) },
      total: buffer * 6,
      after: buffer * 2,
    },
    {
      id: 'data/mmap-playback-intact',
      title: 'frames stored through the data mapping and committed with SYNC_PTR come back through the loopback capture intact',
      rules: ['pcm.mmap-data.ok', 'pcm.sync-ptr.ok', 'device.advance.running'],
      sw: { silence_threshold: 0n, silence_size: 0n, stop: BigInt(buffer) },
      total: buffer * 4,
      after: buffer * 2,
      mmap: true,
    },
    {
      id: 'data/silence-fill',
      title: 'with free-running silence filling, the hardware plays silence, not stale buffer data, once the written frames run out',
      rules: ['ring.silence.fill', 'pcm.sw-params.ok'],
      sw: { silence_threshold: 0n, silence_size: 1n << 62n, stop: 1n << 62n },
      total: buffer * 2 + g.period,
      after: buffer * 2,
      silenceAfter: true,
    },
  ];
  const out: { result: TestResult }[] = [];
  for (const c of cases) {
    const base = { id: c.id, title: c.title, rules: c.rules, replay: `alsa-spec check --backend ${replayTarget} --only ${c.id}` };
    const unsupported = noLoop ?? (c.mmap ? noMmap : null);
    if (unsupported) {
      out.push({ result: { ...base, status: 'UNSUPPORTED', reason: unsupported } });
      continue;
    }
    const dev = await backend.open();
    try {
      await loop(dev, g, c.sw, c.mmap);
      const p = await pump(dev, g, c.total, c.after, realTime, c.mmap === true);
      const check = checkFrames(p.bytes, c.total);
      const problem = verdict(check, p, c.silenceAfter === true);
      out.push({ result: problem ? { ...base, status: 'FAIL', reason: problem } : { ...base, title: base.title + tally(check, p), status: 'PASS' } });
    } catch (e) {
      out.push({ result: { ...base, status: 'ERROR', reason: (e as Error).message } });
    } finally {
      await dev.dispose();
    }
  }
  // What the device played, where the backend can show it.
  const output = {
    id: 'data/output-intact',
    title: 'what the device played holds every frame written, byte for byte, in order',
    rules: ['pcm.xfer.ok', 'pcm.drain.wait'],
    replay: `alsa-spec check --backend ${replayTarget} --only data/output-intact`,
  };
  if (!hasPlayed(backend) || !info.streams.PLAYBACK) {
    out.push({ result: { ...output, status: 'UNSUPPORTED', reason: `${info.device}'s backend cannot show what the device played` } });
  } else {
    const dev = await backend.open();
    try {
      // Frames from an index no earlier run on this backend played (its output keeps everything).
      const runs = playedRuns.get(backend) ?? 0;
      playedRuns.set(backend, runs + 1);
      const frames = 24000;
      const first = 1_000_000 + runs * frames;
      await playOut(dev, g, first, frames);
      const played = await backend.played();
      const want = new Uint8Array(frames * FRAME);
      fillPattern(want, first, FRAME);
      const at = findAligned(played, want);
      out.push({
        result: at >= 0
          ? { ...output, status: 'PASS' }
          : { ...output, status: 'FAIL', reason: `the ${frames} frames played are not in the device's ${played.length}-byte output, byte for byte` },
      });
    } catch (e) {
      out.push({ result: { ...output, status: 'ERROR', reason: (e as Error).message } });
    } finally {
      await dev.dispose();
    }
  }
  return out;
}

/** Where `want` occurs in `hay` at a frame boundary, or -1. */
function findAligned(hay: Uint8Array, want: Uint8Array): number {
  const h = Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength);
  const head = Buffer.from(want.subarray(0, 256));
  for (let i = h.indexOf(head); i >= 0; i = h.indexOf(head, i + 1)) {
    if (i % FRAME === 0 && h.subarray(i, i + want.length).equals(want)) return i;
  }
  return -1;
}
