// WRITEI, READI, WRITEN, READN and the read(2)/write(2) syscalls: __snd_pcm_lib_xfer().
import type { Errno } from '../../../spec/abi/errno.ts';
import type { Command } from '../../../spec/device.ts';
import type { PcmContext } from '../context.ts';
import { ALL, type EdgeOutcome, type OpSpec } from '../edges.ts';
import { dmaSync, note, settle, startGroup, stopGroup, update, waitForAvail } from '../kernel.ts';
import { applAdvance, avail, hwAvail, toSigned } from '../runtime.ts';
import { fail, NOT_OPEN, ok, UNPLUGGED } from './common.ts';

type XferCommand = Extract<Command, { type: 'WRITEI' | 'READI' | 'WRITEN' | 'READN' | 'WRITE' | 'READ' }>;

/** pcm_accessible_state(). */
function accessible(ctx: PcmContext, i: number): Errno | null {
  switch (ctx.streams[i]!.state) {
    case 'PREPARED':
    case 'RUNNING':
    case 'PAUSED':
      return null;
    case 'XRUN':
      return 'EPIPE';
    case 'SUSPENDED':
      return 'ESTRPIPE';
    default:
      return 'EBADFD';
  }
}

/** __snd_pcm_lib_xfer() after its sanity, access and size checks. */
function transfer(ctx: PcmContext, i: number, ev: XferCommand): void {
  const s = ctx.streams[i]!;
  const hw = s.hw!;
  const bytes = ev.type === 'WRITE' || ev.type === 'READ';
  let size = BigInt('bytes' in ev ? ev.bytes / hw.frameBytes : ev.frames);
  const playback = s.dir === 'PLAYBACK';
  if (ev.type.startsWith('WRITE') !== playback) note(ctx, 'pcm.xfer.direction'); // ioctls only: read(2)/write(2) were refused
  const nonblock = s.xferNonblock;

  if (s.state === 'RUNNING') update(ctx, i, false); // its verdict is not returned here
  if (!playback && s.state === 'PREPARED' && size >= s.startThreshold) {
    const r = startGroup(ctx, i);
    if (r) return fail(ctx, r.errno!, r.rules[0]);
    note(ctx, 'pcm.xfer.auto-start');
  }
  let room = avail(s);
  let done = 0n;
  let err: Errno | null = null;
  while (size > 0n) {
    if (room === 0n) {
      if (!playback && s.state === 'DRAINING') {
        stopGroup(ctx, i, 'SETUP');
        break;
      }
      if (nonblock) {
        note(ctx, 'pcm.xfer.again');
        err = 'EAGAIN';
        break;
      }
      note(ctx, 'pcm.xfer.wait');
      const min = s.availMin === 0n ? 1n : s.availMin;
      const waited = waitForAvail(ctx, i, size < min ? size : min);
      if (waited.errno) {
        err = waited.errno;
        break;
      }
      room = waited.avail;
      if (room === 0n) continue;
    }
    let n = size < room ? size : room;
    const contiguous = hw.bufferSize - (s.applPtr % hw.bufferSize); // appl_ptr is a u64 already
    if (n > contiguous) n = contiguous;
    // The copy, with its sync: CPU before a capture copy, DEVICE after a playback copy.
    dmaSync(ctx, i, playback ? 'DEVICE' : 'CPU', playback ? 'xfer-write' : 'xfer-read');
    err = accessible(ctx, i); // the state may have changed under the copy
    if (err) break;
    s.applPtr = applAdvance(s, n);
    size -= n;
    done += n;
    room -= n;
    if (playback && s.state === 'PREPARED' && hwAvail(s) >= toSigned(s.startThreshold)) {
      const r = startGroup(ctx, i);
      if (r) {
        err = r.errno!;
        break;
      }
      note(ctx, 'pcm.xfer.auto-start');
    }
  }
  if (done > 0n && err === null) settle(ctx, i);
  if (done > 0n || err === null) return ok(ctx, { value: bytes ? done * BigInt(hw.frameBytes) : done });
  fail(ctx, err);
}

const OK_ENDS = (state: 'PREPARED' | 'RUNNING' | 'PAUSED'): EdgeOutcome[] => [
  { to: state },
  { to: state, errno: 'EAGAIN', rules: ['pcm.xfer.again'] },
];

function xferOp<T extends XferCommand['type']>(type: T): OpSpec<T> {
  return {
    type,
    edges: [
      ...NOT_OPEN,
      // vfs_read()/vfs_write(): a playback file has no read, a capture file no write.
      ...(type === 'WRITE' || type === 'READ'
        ? [{ in: ALL, if: ['isWrongDirection'], errno: 'EINVAL', rules: ['pcm.xfer.direction'] } as const]
        : []),
      UNPLUGGED,
      { in: ['OPEN'], errno: 'EBADFD', rules: ['pcm.xfer.open'] },
      ...(type === 'WRITE' || type === 'READ'
        ? [{ in: ALL, if: ['!isFrameAligned'], errno: 'EINVAL', rules: ['pcm.xfer.unaligned'] } as const]
        : []),
      { in: ALL, if: ['!isAccessMatched'], errno: 'EINVAL', rules: ['pcm.xfer.access'] },
      { in: ALL, if: ['isZeroFrames'], run: true, rules: ['pcm.xfer.zero'] },
      { in: ['XRUN'], errno: 'EPIPE', rules: ['pcm.xfer.state'] },
      { in: ['SUSPENDED'], errno: 'ESTRPIPE', rules: ['pcm.xfer.state'] },
      { in: ['SETUP', 'DRAINING'], errno: 'EBADFD', rules: ['pcm.xfer.state'] },
      {
        in: ['PREPARED'], run: true, rules: ['pcm.xfer.ok'],
        outcomes: [
          ...OK_ENDS('PREPARED'),
          { to: 'PREPARED', errno: 'EIO', rules: ['pcm.xfer.wait'] },
          { to: 'RUNNING', rules: ['pcm.xfer.auto-start'] },
          { to: 'RUNNING', errno: 'EAGAIN', rules: ['pcm.xfer.auto-start', 'pcm.xfer.again'] },
          { to: 'XRUN', rules: ['ring.xrun.detect'] },
          { to: 'XRUN', errno: 'EPIPE', rules: ['pcm.xfer.wait', 'ring.xrun.detect'] },
        ],
      },
      {
        in: ['RUNNING'], run: true, rules: ['pcm.xfer.ok'],
        outcomes: [
          ...OK_ENDS('RUNNING'),
          { to: 'XRUN', rules: ['ring.xrun.detect'] },
          { to: 'XRUN', errno: 'EPIPE', rules: ['ring.xrun.detect'] },
        ],
      },
      {
        in: ['PAUSED'], run: true, rules: ['pcm.xfer.ok'],
        outcomes: [
          ...OK_ENDS('PAUSED'),
          { to: 'PAUSED', errno: 'EINTR', rules: ['pcm.xfer.wait', 'harness.wait.signal'] },
          { to: 'XRUN', rules: ['ring.xrun.detect'] },
        ],
      },
      { in: ['PREPARED', 'RUNNING', 'PAUSED'], run: true, group: true, rules: ['pcm.xfer.ok', 'pcm.group.all-or-nothing'] },
    ],
    effect(ctx, i, ev) {
      const x = ev as XferCommand;
      if (('bytes' in x ? x.bytes : x.frames) === 0) return ok(ctx, { value: 0n });
      transfer(ctx, i, x);
    },
  };
}

export const TRANSFER_OPS = [
  xferOp('WRITEI'), xferOp('READI'), xferOp('WRITEN'), xferOp('READN'), xferOp('WRITE'), xferOp('READ'),
] as const;
