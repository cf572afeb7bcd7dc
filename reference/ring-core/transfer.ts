// Transfers: __snd_pcm_lib_xfer() and wait_for_avail() of sound/core/pcm_lib.c.
//
// A blocking wait lets the device of the waiting stream run to its next period interrupt at a
// time (spec pcm.xfer.wait, Model). A stream that does not run times out (EIO) unless the kernel
// would wait without a timeout (PAUSED, or a NO_PERIOD_WAKEUP setup): then the harness sends a
// signal and the call answers EINTR. It does the same when the device has run
// `waitLimitPeriods` periods without satisfying the wait.
import { fault } from './card.ts';
import { availOf, isRunning, type PcmFile, type Substream } from './card.ts';
import { copyFromUser, copyToUser, joinRead, type UserBuffer } from './buffer.ts';
import { kerr, type KErr } from './errors.ts';
import { advance } from './device.ts';
import { updateHwPtr, updateState } from './hwptr.ts';
import { start, stop } from './actions.ts';
import { applyApplPtr } from './appl.ts';
import { playbackHwAvail } from './runtime.ts';
import { s64, u64 } from './u64.ts';
import { dmaSync, touch } from './sync.ts';

/** pcm_accessible_state() — pcm.xfer.state. */
function accessibleState(s: Substream): KErr | null {
  if (fault(s, 'capture-draining-readable') && s.rt.state === 'DRAINING' && !s.playback) return null;
  switch (s.rt.state) {
    case 'PREPARED':
    case 'RUNNING':
    case 'PAUSED':
      return null;
    case 'XRUN':
      return kerr('EPIPE', 'pcm.xfer.state');
    case 'SUSPENDED':
      return kerr('ESTRPIPE', 'pcm.xfer.state');
    default:
      return kerr('EBADFD', 'pcm.xfer.state');
  }
}

interface Avail {
  err: KErr | null;
  avail: bigint;
}

/** wait_for_avail(). */
function waitForAvail(s: Substream): Avail {
  const rt = s.rt;
  const card = s.card;
  let avail = 0n;
  for (let periods = 0; ; ) {
    if (card.signalPending) return { err: kerr('EINTR', 'pcm.xfer.wait'), avail };
    avail = availOf(s);
    if (avail >= rt.twake) return { err: null, avail };
    // schedule_timeout(): the device runs a period, or nothing wakes us
    let woken = true;
    if (isRunning(s) && periods < card.opts.waitLimitPeriods) {
      advance(s, rt.periodSize - (rt.pos % rt.periodSize)); // up to the next period interrupt
      periods++;
    } else if (isRunning(s) || rt.noPeriodWakeup || rt.state === 'PAUSED') {
      card.signalPending = true; // a wait without end: the harness interrupts it
    } else {
      woken = false; // timeout
    }
    switch (rt.state) {
      case 'SUSPENDED':
        return { err: kerr('ESTRPIPE', 'pcm.xfer.wait'), avail };
      case 'XRUN':
        return { err: kerr('EPIPE', 'pcm.xfer.wait'), avail };
      case 'DRAINING':
        if (s.playback) return { err: kerr('EPIPE', 'pcm.xfer.wait'), avail };
        return { err: null, avail: 0n };
      case 'OPEN':
      case 'SETUP':
      case 'DISCONNECTED':
        return { err: kerr('EBADFD', 'pcm.xfer.wait'), avail };
      case 'PAUSED':
        continue;
      default:
        break;
    }
    if (!woken) return { err: kerr('EIO', 'pcm.xfer.wait'), avail };
  }
}

export interface XferResult {
  /** Frames transferred, or the error when none were. */
  result: number | KErr;
  /** Capture: the frames read, laid out like the caller's buffer. */
  data?: Uint8Array;
}

/** __snd_pcm_lib_xfer(). The caller has checked OPEN (pcm.xfer.open); `u.frames` > 0 or 0. */
export function libXfer(s: Substream, file: PcmFile, u: UserBuffer): XferResult {
  const rt = s.rt;
  if (u.interleaved) {
    if (rt.access !== 'RW_INTERLEAVED' && rt.channels > 1) return { result: kerr('EINVAL', 'pcm.xfer.access') };
  } else if (rt.access !== 'RW_NONINTERLEAVED') {
    return { result: kerr('EINVAL', 'pcm.xfer.access') };
  }
  if (u.frames === 0) return { result: 0 };
  const playback = s.playback;
  const nonblock = s.fNonblock;
  const chunks: Uint8Array[] = [];
  let size = BigInt(u.frames);
  let xfer = 0;
  let offset = 0;
  let err: KErr | null = accessibleState(s);

  run: if (!err) {
    rt.twake = rt.availMin !== 0n ? rt.availMin : 1n;
    if (rt.state === 'RUNNING') updateHwPtr(s);
    if (!playback && rt.state === 'PREPARED' && size >= rt.startThreshold) {
      const e = start(s);
      if (e) {
        err = kerr(e.errno, 'pcm.xfer.auto-start');
        break run;
      }
    }
    let avail = availOf(s);
    while (size > 0n) {
      if (avail === 0n) {
        if (!playback && rt.state === 'DRAINING') {
          stop(s, 'SETUP');
          break run;
        }
        if (nonblock) {
          err = kerr('EAGAIN', 'pcm.xfer.again');
          break run;
        }
        const minAvail = rt.availMin !== 0n ? rt.availMin : 1n;
        rt.twake = size < minAvail ? size : minAvail;
        const w = waitForAvail(s);
        avail = w.avail;
        if (w.err) {
          err = w.err;
          break run;
        }
        if (avail === 0n) continue; // draining
      }
      let frames = size > avail ? avail : size;
      const applOfs = Number(rt.applPtr % rt.bs);
      const cont = BigInt(rt.bufferSize - applOfs);
      if (frames > cont) frames = cont;
      const n = Number(frames);
      let chunk: Uint8Array | null = null;
      if (playback) {
        copyFromUser(rt, u, applOfs, offset, n);
        touch(s, 'CPU_WRITE', applOfs, n, { why: 'xfer' });
        if (!fault(s, 'no-device-sync-on-write')) dmaSync(s, 'DEVICE', 'xfer-write');
      } else {
        if (!fault(s, 'no-cpu-sync-on-read')) dmaSync(s, 'CPU', 'xfer-read');
        chunk = copyToUser(rt, u.interleaved, applOfs, n);
        touch(s, 'CPU_READ', applOfs, n);
      }
      err = accessibleState(s);
      if (err) {
        err = kerr(err.errno, 'pcm.xfer.ok'); // the entry update found an xrun
        break run;
      }
      let appl = u64(rt.applPtr + frames);
      if (appl >= rt.boundary) appl = u64(appl - rt.boundary);
      err = applyApplPtr(s, appl);
      if (err) break run;
      if (chunk) chunks.push(chunk);
      offset += n;
      size -= frames;
      xfer += n;
      avail -= frames;
      if (playback && rt.state === 'PREPARED' && playbackHwAvail(rt) >= s64(rt.startThreshold)) {
        const e = start(s);
        if (e) {
          err = kerr(e.errno, 'pcm.xfer.auto-start');
          break run;
        }
      }
    }
  }
  rt.twake = 0n;
  if (xfer > 0 && !err) updateState(s);
  s.card.signalPending = false;
  const res: XferResult = { result: xfer > 0 ? xfer : (err ?? 0) };
  if (!playback && xfer > 0) res.data = joinRead(rt, u.interleaved, chunks, xfer);
  file.patternFrame += xfer;
  return res;
}
