// The operations on an open, connected PCM file: snd_pcm_common_ioctl(), read(2), write(2) and
// poll(2), answering the seam's Outcome. File-table matters (OPEN, CLOSE, mmap bookkeeping,
// disconnect) live in session.ts.
import type { FileCommand, OkOutcome, Outcome } from '../../spec/device.ts';
import { PCM_VERSION } from '../../spec/abi/ioctl.ts';
import { TSTAMP_TYPE_LAST } from '../../spec/abi/params.ts';
import { Group, isLinked, type PcmFile, type Substream } from './card.ts';
import { isErr, kerr, type KErr } from './errors.ts';
import { channelInfo, hwFree, hwParams, hwRefine, swParams } from './params.ts';
import { delay, forward, hwsync, rewind, status, syncPtr } from './pointers.ts';
import { drop, pause, prepare, reset, resume, start, xrun } from './actions.ts';
import { drain } from './drain.ts';
import { libXfer } from './transfer.ts';
import { poll } from './poll.ts';

export const ok = (extra: Omit<OkOutcome, 'ok'> = {}): Outcome => ({ ok: true, ...extra });
export const fail = (e: KErr): Outcome => ({ ok: false, errno: e.errno, rule: e.rule });
const done = (e: KErr | null): Outcome => (e ? fail(e) : ok());

function frameCount(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, not ${n}`);
  return n;
}

/** WRITEI/READI/WRITEN/READN and the frame part of read(2)/write(2). */
function transfer(file: PcmFile, interleaved: boolean, frames: number, data: Uint8Array | undefined): KErr | { frames: number; data?: Uint8Array } {
  const s = file.sub;
  const rt = s.rt;
  if (s.playback && data && data.length < frames * rt.frameBytes) {
    throw new RangeError(`data holds ${data.length} bytes, ${frames} frames need ${frames * rt.frameBytes}`);
  }
  const r = libXfer(s, file, {
    interleaved,
    frames,
    data: s.playback ? (data ?? null) : null,
    patternFrame: file.patternFrame,
  });
  if (isErr(r.result)) return r.result;
  return r.data ? { frames: r.result, data: r.data } : { frames: r.result };
}

/** pcm.xfer.* — snd_pcm_xferi_frames_ioctl() / snd_pcm_xfern_frames_ioctl(). */
function xferIoctl(file: PcmFile, interleaved: boolean, framesIn: number, data: Uint8Array | undefined): Outcome {
  const rt = file.sub.rt;
  if (rt.state === 'OPEN') return fail(kerr('EBADFD', 'pcm.xfer.open'));
  if (!interleaved && rt.channels > 128) return fail(kerr('EINVAL', 'pcm.xfer.access'));
  const r = transfer(file, interleaved, frameCount(framesIn, 'frames'), data);
  if (isErr(r)) return fail(r);
  return r.data ? ok({ value: BigInt(r.frames), data: r.data }) : ok({ value: BigInt(r.frames) });
}

/** snd_pcm_read() / snd_pcm_write(): the direction itself was checked by the VFS (session.ts). */
function rwSyscall(file: PcmFile, bytesIn: number, data: Uint8Array | undefined): Outcome {
  const rt = file.sub.rt;
  const bytes = frameCount(bytesIn, 'bytes');
  if (rt.state === 'OPEN' || rt.state === 'DISCONNECTED') return fail(kerr('EBADFD', 'pcm.xfer.open'));
  if (bytes % rt.byteAlign !== 0) return fail(kerr('EINVAL', 'pcm.xfer.unaligned'));
  const r = transfer(file, true, Math.floor((bytes * 8) / rt.frameBits), data);
  if (isErr(r)) return fail(r);
  const value = BigInt((r.frames * rt.frameBits) / 8);
  return r.data ? ok({ value, data: r.data }) : ok({ value });
}

/** snd_pcm_xrun(): pcm.xrun.running, pcm.xrun.already, pcm.xrun.bad-state. */
function xrunIoctl(s: Substream): KErr | null {
  switch (s.rt.state) {
    case 'XRUN':
      return null;
    case 'RUNNING':
      xrun(s);
      return null;
    default:
      return kerr('EBADFD', 'pcm.xrun.bad-state');
  }
}

/** pcm.link.* — snd_pcm_link(). */
function link(s: Substream, other: PcmFile | undefined): KErr | null {
  if (!other) return kerr('EBADFD', 'pcm.link.bad-fd');
  const s1 = other.sub;
  if (s === s1) return kerr('EINVAL', 'pcm.link.self');
  if (s.rt.state === 'OPEN' || s.rt.state !== s1.rt.state) return kerr('EBADFD', 'pcm.link.state');
  if (isLinked(s1)) return kerr('EALREADY', 'pcm.link.already');
  if (!isLinked(s)) {
    const g = new Group();
    g.list.unshift(s);
    s.group = g;
  }
  s1.group = s.group;
  s.group.list.unshift(s1); // snd_pcm_group_assign(): list_move to the head
  return null;
}

/** pcm.unlink.* — snd_pcm_unlink(); also the release's pcm_release_private(). */
export function unlink(s: Substream): KErr | null {
  if (!isLinked(s)) return kerr('EALREADY', 'pcm.unlink.not-linked');
  const g = s.group;
  g.list.splice(g.list.indexOf(s), 1);
  s.group = s.selfGroup;
  if (g.list.length === 1) {
    const last = g.list.pop()!;
    last.group = last.selfGroup;
  }
  return null;
}

type IoctlCommand = Exclude<FileCommand, { type: 'OPEN' | 'CLOSE' | 'MMAP' | 'MUNMAP' | 'CONTROL_WRITE' }>;

/** One operation on an open file of a connected card. `lookup` finds another open file (LINK). */
export function fileOp(file: PcmFile, cmd: IoctlCommand, lookup: (fd: number) => PcmFile | undefined): Outcome {
  const s = file.sub;
  const rt = s.rt;
  switch (cmd.type) {
    case 'PVERSION':
      return ok({ value: BigInt(PCM_VERSION[s.card.opts.follows]) });
    case 'INFO':
      return ok();
    case 'USER_PVERSION':
      file.userPversion = cmd.version >>> 0;
      return ok();
    case 'TTSTAMP': {
      const t = cmd.tstamp_type | 0;
      if (t < 0 || t > TSTAMP_TYPE_LAST) return fail(kerr('EINVAL', 'pcm.ttstamp.invalid'));
      rt.tstampType = t;
      return ok();
    }
    case 'HW_REFINE': {
      const r = hwRefine(s, cmd.params);
      return isErr(r) ? fail(r) : ok({ hw: r });
    }
    case 'HW_PARAMS': {
      const r = hwParams(s, cmd.params);
      return isErr(r) ? fail(r) : ok({ hw: r });
    }
    case 'HW_FREE':
      return done(hwFree(s));
    case 'SW_PARAMS': {
      const r = swParams(s, cmd.params);
      return isErr(r) ? fail(r) : ok({ value: r });
    }
    case 'STATUS':
      return ok({ status: status(s) });
    case 'DELAY': {
      const r = delay(s);
      return isErr(r) ? fail(r) : ok({ value: r });
    }
    case 'HWSYNC':
      return done(hwsync(s));
    case 'SYNC_PTR': {
      const r = syncPtr(s, cmd);
      return isErr(r) ? fail(r) : ok({ sync: r });
    }
    case 'CHANNEL_INFO': {
      const r = channelInfo(s, cmd.channel);
      return isErr(r) ? fail(r) : ok();
    }
    case 'PREPARE':
      return done(prepare(s, file.nonblock));
    case 'RESET':
      return done(reset(s));
    case 'START':
      return done(start(s));
    case 'DROP':
      return done(drop(s));
    case 'DRAIN':
      return done(drain(s, file));
    case 'PAUSE':
      return done(pause(s, cmd.push));
    case 'REWIND': {
      const r = rewind(s, cmd.frames);
      return isErr(r) ? fail(r) : ok({ value: r });
    }
    case 'FORWARD': {
      const r = forward(s, cmd.frames);
      return isErr(r) ? fail(r) : ok({ value: r });
    }
    case 'RESUME':
      return done(resume(s));
    case 'XRUN':
      return done(xrunIoctl(s));
    case 'WRITEI':
    case 'READI':
      return xferIoctl(file, true, cmd.frames, cmd.data);
    case 'WRITEN':
    case 'READN':
      return xferIoctl(file, false, cmd.frames, cmd.data);
    case 'WRITE':
    case 'READ':
      return rwSyscall(file, cmd.bytes, cmd.data);
    case 'LINK':
      return done(link(s, lookup(cmd.other)));
    case 'UNLINK':
      return done(unlink(s));
    case 'POLL':
      return ok({ value: BigInt(poll(s)) });
    default:
      return fail(kerr('ENOTTY', 'pcm.ioctl.unknown'));
  }
}
