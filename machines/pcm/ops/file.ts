// OPEN, CLOSE, PEEK, POLL, MMAP, MUNMAP, CONTROL_WRITE: the file and its mappings.
import type { PcmContext } from '../context.ts';
import { freshStream } from '../context.ts';
import { ALL, except, type OpSpec } from '../edges.ts';
import { release } from '../kernel.ts';
import { avail } from '../runtime.ts';
import { NOT_OPEN, ok } from './common.ts';

const EPOLLIN = 0x1n, EPOLLOUT = 0x4n, EPOLLERR = 0x8n, EPOLLNVAL = 0x20n, EPOLLRDNORM = 0x40n, EPOLLWRNORM = 0x100n;
export const POLL_BITS = { EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLNVAL, EPOLLRDNORM, EPOLLWRNORM } as const;

export const OPEN: OpSpec<'OPEN'> = {
  type: 'OPEN',
  edges: [
    { in: ALL, errno: 'EBADF', rules: ['harness.open.slot-in-use'] },
    { in: ['CLOSED'], if: ['isDisconnected'], errno: 'ENOENT', rules: ['device.disconnect.enodev'] },
    { in: ['CLOSED'], if: ['!hasDirection'], errno: 'ENOENT', rules: ['pcm.open.no-device'] },
    { in: ['CLOSED'], if: ['isDirectionHeld'], errno: 'EBUSY', rules: ['pcm.open.busy'] },
    { in: ['CLOSED'], run: true, to: 'OPEN', rules: ['pcm.open.ok'] },
  ],
  effect(ctx, i, ev) {
    const s = freshStream(ev.stream);
    s.state = 'OPEN';
    // snd_pcm_open_substream(): EXPLICIT_SYNC from the preallocated buffer (sync.explicit.managed)
    const sub = ctx.memory.subs[ev.stream];
    s.explicitSync = sub.setup.managed && sub.devNeedSync;
    s.fileNonblock = ev.nonblock;
    s.xferNonblock = true; // opened with O_NONBLOCK, cleared on the file afterwards (pcm.open.ok)
    ctx.streams[i] = s;
    ok(ctx);
  },
};

export const CLOSE: OpSpec<'CLOSE'> = {
  type: 'CLOSE',
  edges: [
    ...NOT_OPEN,
    { in: ALL, if: ['hasMapping'], run: true, rules: ['pcm.close.deferred'] },
    { in: ['DISCONNECTED'], run: true, to: 'CLOSED', rules: ['pcm.close.release', 'device.disconnect.enodev'] },
    { in: except('DISCONNECTED'), if: ['isLinked'], run: true, to: 'CLOSED', rules: ['pcm.close.release', 'pcm.close.linked'] },
    { in: except('DISCONNECTED'), run: true, to: 'CLOSED', rules: ['pcm.close.release'] },
  ],
  effect(ctx, i) {
    const s = ctx.streams[i]!;
    if (s.dataMaps + s.statusMaps + s.controlMaps > 0) s.closed = true;
    else release(ctx, i);
    ok(ctx);
  },
};

export const PEEK: OpSpec<'PEEK'> = {
  type: 'PEEK',
  edges: [
    { in: ['CLOSED'], run: true, rules: ['pcm.file.not-open'] },
    { in: ALL, if: ['isFileClosed'], run: true, rules: ['pcm.file.not-open'], shared: true },
    { in: ALL, run: true, rules: ['pcm.peek.ok', 'pcm.state.values', 'ring.hw-ptr.lazy'] },
  ],
  effect(ctx, i) {
    const s = ctx.streams[i]!;
    if (s.state === 'CLOSED' || s.closed) return ok(ctx, { peek: null });
    ok(ctx, {
      peek: { state: s.state, suspended_state: s.suspendedState, hw_ptr: s.hwPtr, appl_ptr: s.applPtr, avail_min: s.availMin },
    });
  },
};

function pollMask(ctx: PcmContext, i: number): bigint {
  const s = ctx.streams[i]!;
  if (s.state === 'DISCONNECTED') return EPOLLERR | EPOLLNVAL; // snd_disconnect_poll()
  const ready = s.dir === 'PLAYBACK' ? EPOLLOUT | EPOLLWRNORM : EPOLLIN | EPOLLRDNORM;
  const a = avail(s);
  switch (s.state) {
    case 'RUNNING':
    case 'PREPARED':
    case 'PAUSED':
      return a >= s.availMin ? ready : 0n;
    case 'DRAINING':
      return s.dir === 'CAPTURE' ? ready | (a === 0n ? EPOLLERR : 0n) : 0n;
    default:
      return ready | EPOLLERR;
  }
}

export const POLL: OpSpec<'POLL'> = {
  type: 'POLL',
  edges: [
    ...NOT_OPEN,
    { in: ['DISCONNECTED'], run: true, rules: ['device.disconnect.enodev'] },
    { in: ['PREPARED', 'RUNNING', 'PAUSED'], run: true, rules: ['pcm.poll.ready', 'ring.avail-min.ready', 'ring.hw-ptr.lazy'] },
    { in: ['DRAINING'], run: true, rules: ['pcm.poll.draining'] },
    { in: ['OPEN', 'SETUP', 'XRUN', 'SUSPENDED'], run: true, rules: ['pcm.poll.error'] },
  ],
  effect(ctx, i) {
    ok(ctx, { value: pollMask(ctx, i) });
  },
};

export const MMAP: OpSpec<'MMAP'> = {
  type: 'MMAP',
  edges: [
    ...NOT_OPEN,
    { in: ALL, if: ['isZeroLengthMap'], errno: 'EINVAL', rules: ['pcm.mmap-page.size'] },
    { in: ['DISCONNECTED'], errno: 'ENODEV', rules: ['device.disconnect.enodev'] },
    { in: ALL, if: ['isDataArea', '!isMmapProtOk'], errno: 'EINVAL', rules: ['pcm.mmap-data.prot'] },
    { in: ['OPEN'], if: ['isDataArea'], errno: 'EBADFD', rules: ['pcm.mmap-data.open'] },
    { in: ALL, if: ['isDataArea', '!hasMmapInfo'], errno: 'ENXIO', rules: ['pcm.mmap-data.no-mmap'] },
    { in: ALL, if: ['isDataArea', '!isMmapAccess'], errno: 'EINVAL', rules: ['pcm.mmap-data.rw-access'] },
    { in: ALL, if: ['isDataArea', '!isMmapDataSizeOk'], errno: 'EINVAL', rules: ['pcm.mmap-data.size'] },
    { in: ALL, if: ['isDataArea'], run: true, rules: ['pcm.mmap-data.ok'] },
    { in: ALL, if: ['isStatusArea', 'hasExplicitSync'], errno: 'ENXIO', rules: ['pcm.mmap-control.refused', 'sync.explicit.sync-ptr'] },
    { in: ALL, if: ['isStatusArea', '!isStatusMmapAllowed'], errno: 'ENXIO', rules: ['pcm.mmap-control.refused'] },
    { in: ALL, if: ['isStatusArea', '!isMmapPageOk'], errno: 'EINVAL', rules: ['pcm.mmap-page.size'] },
    { in: ALL, if: ['isStatusArea'], run: true, rules: ['pcm.mmap-status.ok'] },
    { in: ALL, if: ['hasExplicitSync'], errno: 'ENXIO', rules: ['pcm.mmap-control.refused', 'sync.explicit.sync-ptr'] },
    { in: ALL, if: ['!isControlMmapAllowed'], errno: 'ENXIO', rules: ['pcm.mmap-control.refused'] },
    { in: ALL, if: ['!isMmapPageOk'], errno: 'EINVAL', rules: ['pcm.mmap-page.size'] },
    { in: ALL, run: true, rules: ['pcm.mmap-control.ok'] },
  ],
  effect(ctx, i, ev) {
    const s = ctx.streams[i]!;
    if (ev.area === 'DATA') s.dataMaps++;
    else if (ev.area === 'STATUS') s.statusMaps++;
    else s.controlMaps++;
    ok(ctx);
  },
};

export const MUNMAP: OpSpec<'MUNMAP'> = {
  type: 'MUNMAP',
  edges: [
    { in: [...ALL, 'CLOSED'], if: ['!isAreaMapped'], run: true, rules: ['pcm.munmap.ok'] },
    { in: ALL, if: ['isFileClosed', 'isLastMapping'], run: true, to: 'CLOSED', rules: ['pcm.munmap.ok', 'pcm.close.deferred'] },
    { in: ALL, run: true, rules: ['pcm.munmap.ok'] },
  ],
  effect(ctx, i, ev) {
    const s = ctx.streams[i]!;
    const key = ev.area === 'DATA' ? 'dataMaps' : ev.area === 'STATUS' ? 'statusMaps' : 'controlMaps';
    if (s[key] > 0) {
      s[key]--;
      if (s.closed && s.dataMaps + s.statusMaps + s.controlMaps === 0) release(ctx, i);
    }
    ok(ctx);
  },
};

export const CONTROL_WRITE: OpSpec<'CONTROL_WRITE'> = {
  type: 'CONTROL_WRITE',
  edges: [
    ...NOT_OPEN,
    { in: ALL, if: ['!isControlMapped'], errno: 'EFAULT', rules: ['harness.control-write.unmapped'] },
    { in: ALL, run: true, rules: ['pcm.control-write.ok'] },
  ],
  effect(ctx, i, ev) {
    const s = ctx.streams[i]!;
    if (ev.appl_ptr !== undefined) s.applPtr = BigInt.asUintN(64, ev.appl_ptr);
    if (ev.avail_min !== undefined) s.availMin = BigInt.asUintN(64, ev.avail_min);
    ok(ctx);
  },
};

function mapAccess<T extends 'MAP_WRITE' | 'MAP_READ'>(type: T): OpSpec<T> {
  return {
    type,
    edges: [
      ...NOT_OPEN,
      { in: ALL, if: ['!isInsideDataMapping'], errno: 'EFAULT', rules: ['harness.control-write.unmapped'] },
      { in: ALL, run: true, rules: ['pcm.mmap-data.ok'] },
    ],
    effect(ctx) {
      ok(ctx); // plain memory: no pointer moves; the bytes are the data tests' business
    },
  };
}

export const MAP_WRITE = mapAccess('MAP_WRITE');
export const MAP_READ = mapAccess('MAP_READ');

export const FILE_OPS = [OPEN, CLOSE, PEEK, POLL, MMAP, MUNMAP, CONTROL_WRITE, MAP_WRITE, MAP_READ] as const;

