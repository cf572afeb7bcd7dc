// One session of the ring core: a fresh card, its file table and mappings, and the device-side
// events. Implements the PcmDevice seam synchronously, plus an inspection API for tests and a data
// path for benchmarks.
import { fillPattern } from '../../spec/device.ts';
import type { Command, DeviceInfo, MmapArea, Outcome, PcmDevice, PeekValue } from '../../spec/device.ts';
import type { StreamDir } from '../../spec/abi/states.ts';
import type { DmaEvent, SyncEffect, SyncMode, SyncSite } from '../../spec/dma.ts';
import { dmaSync } from './sync.ts';
import { INFO } from '../../spec/abi/params.ts';
import { isErr } from './errors.ts';
import { procRead, procWrite } from './memory.ts';
import { fault as hasFault } from './card.ts';
import { Card, PcmFile, isRunning, type Substream } from './card.ts';
import { kerr } from './errors.ts';
import { copyCaps, copyMemoryInfo, type ResolvedOptions } from './options.ts';
import { Runtime } from './runtime.ts';
import { drop, stop, stopXrun, suspend } from './actions.ts';
import { doHwFree } from './params.ts';
import { advance } from './device.ts';
import { mmapCheck } from './mmap.ts';
import { EPOLLERR, EPOLLNVAL } from './poll.ts';
import { fail, fileOp, ok, unlink } from './ioctl.ts';
import { u64 } from './u64.ts';
import { inspect, type RuntimeView } from './inspect.ts';
import { fastAdvance, fastRead, fastWrite, foldAll } from './fast.ts';

export class RingCoreDevice implements PcmDevice {
  readonly info: DeviceInfo;
  private readonly card: Card;
  private readonly files = new Map<number, PcmFile>();
  /** The open files of small descriptors by index, for the data path (a Map lookup costs as much
   * as the rest of a small period's bookkeeping). Kept in step with `files`. */
  private readonly byFd: (PcmFile | undefined)[] = [];
  /** Closed files still held by mappings, by the descriptor they had (newest last). */
  private readonly orphans = new Map<number, PcmFile[]>();
  private disposed = false;

  constructor(opts: ResolvedOptions) {
    this.card = new Card(opts);
    this.info = {
      backend: 'ring-core',
      device: 'ring-core',
      kernel: null,
      follows: opts.follows,
      // a copy per session, by hand: structuredClone cost more than a short conformance path
      streams: Object.fromEntries(Object.entries(opts.streams).map(([d, c]) => [d, copyCaps(c)])),
      loopback: opts.loopback,
      virtualClock: true,
      memory: copyMemoryInfo(opts.memoryInfo),
    };
  }

  exec(cmd: Command): Outcome {
    if (this.disposed) throw new Error('ring-core: exec on a disposed session');
    const card = this.card;
    foldAll(card);
    switch (cmd.type) {
      case 'OPEN':
        return this.open(cmd.fd, cmd.stream, cmd.nonblock);
      case 'PEEK':
        return ok({ peek: this.peek(cmd.fd) });
      case 'MUNMAP':
        return this.munmap(cmd.fd, cmd.area);
      case 'CONTROL_WRITE': {
        const open = this.files.get(cmd.fd);
        if (!open) return fail(kerr('EBADF', 'pcm.file.not-open'));
        const f = this.mapping(cmd.fd, 'CONTROL');
        if (!f) return fail(kerr('EFAULT', 'harness.control-write.unmapped'));
        if (cmd.appl_ptr !== undefined) f.sub.rt.applPtr = u64(cmd.appl_ptr);
        if (cmd.avail_min !== undefined) f.sub.rt.availMin = u64(cmd.avail_min);
        return ok();
      }
      case 'MAP_WRITE':
      case 'MAP_READ':
        return this.mapAccess(cmd);
      case 'SUSPEND':
        for (const s of card.subs) if (s.runtime) suspend(s); // snd_pcm_suspend_all(): EBUSY skips
        return ok();
      case 'DISCONNECT':
        this.disconnect();
        return ok();
      case 'PROC_READ': {
        const r = procRead(card.sub(cmd.stream), cmd.file);
        return typeof r === 'string' ? ok({ text: r }) : fail(r);
      }
      case 'PROC_WRITE': {
        const r = procWrite(card.sub(cmd.stream), cmd.file, cmd.text);
        return isErr(r) ? fail(r) : ok({ value: BigInt(r.bytes) });
      }
      default:
        break;
    }
    const file = this.files.get(cmd.fd);
    if (!file) return fail(kerr('EBADF', 'pcm.file.not-open')); // not a descriptor: the syscall layer answers
    const s = file.sub;
    switch (cmd.type) {
      case 'ADVANCE':
        return ok({ value: BigInt(advance(s, frames(cmd.frames))) });
      case 'DEVICE_XRUN':
        stopXrun(s);
        return ok();
      case 'CLOSE':
        this.close(file);
        return ok();
      case 'READ':
      case 'WRITE':
        // vfs_read()/vfs_write(): the playback node has no read, the capture node no write
        if ((cmd.type === 'READ') === s.playback) return fail(kerr('EINVAL', 'pcm.xfer.direction'));
        break;
      default:
        break;
    }
    // do_mmap() refuses a zero length before it reaches the file's (maybe replaced) ->mmap.
    if (cmd.type === 'MMAP' && cmd.bytes === 0) return fail(kerr('EINVAL', 'pcm.mmap-page.size'));
    if (card.shutdown) {
      if (cmd.type === 'POLL') return ok({ value: BigInt(EPOLLERR | EPOLLNVAL) });
      return fail(kerr('ENODEV', 'device.disconnect.enodev'));
    }
    if (cmd.type === 'MMAP') {
      const area = mmapCheck(file, cmd);
      if (typeof area !== 'string') return fail(area);
      file.maps[area]++;
      if (area === 'DATA') s.mmapCount++;
      return ok();
    }
    if (cmd.type === 'MOVED') return { ok: false, errno: 'EOPNOTSUPP', unsupported: 'MOVED tells the model what a device did; the ring core keeps its own clock' };
    return fileOp(file, cmd, (fd) => this.files.get(fd));
  }

  dispose(): void {
    if (this.disposed) return;
    foldAll(this.card);
    for (const f of [...this.files.values()]) this.close(f);
    for (const list of this.orphans.values()) for (const f of list) this.release(f);
    this.orphans.clear();
    this.disposed = true;
  }

  // ---- the file table

  private open(fd: number, dir: 'PLAYBACK' | 'CAPTURE', nonblock: boolean): Outcome {
    // The slot stays in use while a closed file's mappings still hold its substream.
    if (this.files.has(fd) || this.orphans.has(fd)) return fail(kerr('EBADF', 'harness.open.slot-in-use'));
    if (this.card.shutdown) return fail(kerr('ENOENT', 'device.disconnect.enodev'));
    const s = this.card.sub(dir);
    if (!s) return fail(kerr('ENOENT', 'pcm.open.no-device'));
    if (s.runtime) return fail(kerr('EBUSY', 'pcm.open.busy'));
    const file = new PcmFile(fd, s, nonblock);
    s.runtime = new Runtime();
    this.card.recorder.call(dir, 'driver.open');
    // snd_pcm_open_substream(): EXPLICIT_SYNC when the managed buffer needs syncing
    const needSync = s.dmaDevNeedSync || (hasFault(s, 'explicit-sync-on-demand') && s.setup.type === 'NONCOHERENT' && this.card.memory.platformNeedSync);
    s.hwInfo = s.setup.managed && needSync ? (s.capsInfo | INFO.EXPLICIT_SYNC) >>> 0 : s.capsInfo;
    s.file = file;
    s.fNonblock = true; // the open itself is O_NONBLOCK (spec pcm.open.ok)
    this.files.set(fd, file);
    if (fd < 64) this.byFd[fd] = file;
    return ok();
  }

  private close(file: PcmFile): void {
    this.files.delete(file.fd);
    if (this.byFd[file.fd] === file) this.byFd[file.fd] = undefined;
    file.open = false;
    if (!file.mapped) {
      this.release(file);
      return;
    }
    const list = this.orphans.get(file.fd) ?? [];
    list.push(file);
    this.orphans.set(file.fd, list);
  }

  /** snd_pcm_release() → snd_pcm_release_substream(). */
  private release(file: PcmFile): void {
    if (file.released) return;
    file.released = true;
    const s = file.sub;
    drop(s);
    if (s.rt.state !== 'OPEN') doHwFree(s);
    this.card.recorder.call(s.dir, 'driver.close');
    unlink(s);
    s.runtime = null;
    s.file = null;
    s.mmapCount = 0;
  }

  /** The file whose `area` mapping a store or unmap at descriptor `fd` reaches. */
  private mapping(fd: number, area: MmapArea): PcmFile | undefined {
    const f = this.files.get(fd);
    if (f && f.maps[area] > 0) return f;
    const list = this.orphans.get(fd) ?? [];
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.maps[area] > 0) return list[i];
    return undefined;
  }

  /** pcm.munmap.ok; the last unmap of a closed file releases it (pcm.close.deferred). */
  private munmap(fd: number, area: MmapArea): Outcome {
    const f = this.mapping(fd, area);
    if (!f) return ok(); // munmap(2) of nothing mapped succeeds
    f.maps[area]--;
    if (area === 'DATA') f.sub.mmapCount--;
    if (!f.open && !f.mapped) {
      const list = this.orphans.get(fd)!;
      list.splice(list.indexOf(f), 1);
      if (list.length === 0) this.orphans.delete(fd);
      this.release(f);
    }
    return ok();
  }

  /** Loads and stores through the file's data mapping: plain memory, the DMA buffer itself. */
  private mapAccess(cmd: Extract<Command, { type: 'MAP_WRITE' | 'MAP_READ' }>): Outcome {
    const f = this.files.get(cmd.fd);
    if (!f) return fail(kerr('EBADF', 'pcm.file.not-open'));
    const rt = f.sub.runtime;
    const bytes = cmd.frames * (rt?.frameBytes ?? 0);
    const mapped = rt?.dma ? Math.ceil(rt.dmaBytes / 4096) * 4096 : 0;
    if (f.maps.DATA === 0 || !rt?.dma || cmd.offset < 0 || bytes < 0 || cmd.offset + bytes > mapped) {
      return fail(kerr('EFAULT', 'harness.control-write.unmapped'));
    }
    // Past dma_bytes the page is the allocation's slack: stores there are lost, loads read zeros.
    const inBuf = Math.max(0, Math.min(bytes, rt.dmaBytes - cmd.offset));
    if (cmd.type === 'MAP_READ') {
      const out = new Uint8Array(bytes);
      out.set(rt.dma.subarray(cmd.offset, cmd.offset + inBuf));
      return ok({ data: out });
    }
    let src = cmd.data;
    if (!src) {
      src = new Uint8Array(bytes);
      fillPattern(src, f.patternFrame, rt.frameBytes);
      f.patternFrame += cmd.frames;
    }
    rt.dma.set(src.subarray(0, inBuf), cmd.offset);
    return ok();
  }

  /** pcm.peek.ok: the status and control pages. */
  private peek(fd: number): PeekValue | null {
    const f = this.files.get(fd);
    if (!f) return null;
    const rt = f.sub.rt;
    return { state: rt.state, suspended_state: rt.suspendedState, hw_ptr: rt.hwPtr, appl_ptr: rt.applPtr, avail_min: rt.availMin };
  }

  /** device.disconnect.ok — snd_card_disconnect() → snd_pcm_dev_disconnect(). */
  private disconnect(): void {
    const card = this.card;
    if (card.shutdown) return;
    card.shutdown = true;
    for (const s of card.subs) {
      if (!s.runtime) continue;
      if (isRunning(s)) stop(s, 'DISCONNECTED');
      s.rt.state = 'DISCONNECTED';
    }
  }

  // ---- beyond the seam

  private sub(fd: number): Substream {
    const f = this.files.get(fd);
    if (!f) throw new RangeError(`ring-core: descriptor ${fd} is not open`);
    return f.sub;
  }

  /** Runtime internals of the substream behind `fd` (a snapshot). */
  debug(fd: number): RuntimeView {
    foldAll(this.card);
    const s = this.sub(fd);
    return inspect(s, [...this.files.values()]);
  }

  /** The core records callbacks, allocations and view accesses (built with `trace: true`): only
   * then do takeCalls() and takeDma() report anything. */
  get tracing(): boolean {
    return this.card.recorder.enabled;
  }

  /** The driver callbacks and core allocation steps since the last call, oldest first, each as
   * `DIR what` (e.g. `PLAYBACK core.malloc own 16384`); empty unless built with `trace: true`. */
  takeCalls(): string[] {
    return this.card.recorder.takeCalls();
  }

  /** The accesses and syncs of the direction's buffer views since the last call (spec/dma.ts);
   * empty unless built with `trace: true`. */
  takeDma(dir: StreamDir): DmaEvent[] {
    return this.card.recorder.takeDma(dir);
  }

  /** The card's buffer memory: the accounting and each direction's preallocation. */
  memory(): MemoryView {
    foldAll(this.card);
    const subs = {} as MemoryView['subs'];
    for (const s of this.card.subs) {
      subs[s.dir] = {
        prealloc_bytes: s.dmaBuffer?.bytes ?? 0,
        buffer_bytes_max: s.bufferBytesMax,
        dma_max: s.dmaMax,
        need_sync: s.dmaDevNeedSync,
        runtime_bytes: s.runtime?.dmaBuffer?.bytes ?? null,
        runtime_prealloc: s.runtime?.dmaBuffer != null && s.runtime.dmaBuffer === s.dmaBuffer,
      };
    }
    return { total: this.card.memory.total, subs };
  }

  /** Both views of the runtime buffer of the direction's open substream (copies), or null. */
  views(dir: StreamDir): { cpu: Uint8Array; dev: Uint8Array; needSync: boolean; explicitSync: boolean } | null {
    foldAll(this.card);
    const s = this.card.sub(dir);
    const b = s?.runtime?.dmaBuffer;
    if (!s || !b) return null;
    return { cpu: b.cpu.slice(), dev: b.dev.slice(), needSync: b.needSync, explicitSync: (s.rt.info & INFO.EXPLICIT_SYNC) !== 0 };
  }

  /** Direct access to the views of the runtime buffer of the direction's open substream, for
   * tests of the views themselves: stores and loads by either side, and sync calls through the
   * core's gate (snd_pcm_dma_buffer_sync()). Null without a buffer. */
  dmaProbe(dir: StreamDir): DmaProbe | null {
    foldAll(this.card);
    const s = this.card.sub(dir);
    const b = s?.runtime?.dmaBuffer;
    if (!s || !b) return null;
    const view = (side: 'CPU' | 'DEVICE') => (side === 'CPU' ? b.cpu : b.dev);
    return {
      bytes: s.rt.dmaBytes,
      store: (side, ofs, data) => {
        view(side).set(data, ofs);
        this.card.recorder.dmaEvent(dir, side === 'CPU' ? { kind: 'CPU_WRITE', ofs, len: data.length, why: 'xfer' } : { kind: 'DEVICE_WRITE', ofs, len: data.length });
      },
      load: (side, ofs, len) => {
        this.card.recorder.dmaEvent(dir, side === 'CPU' ? { kind: 'CPU_READ', ofs, len } : { kind: 'DEVICE_READ', ofs, len, committed: true });
        return view(side).slice(ofs, ofs + len);
      },
      sync: (mode, site) => dmaSync(s, mode, site),
    };
  }

  /** What the playback device consumed since the last call, as interleaved frames. */
  takeSink(): Uint8Array {
    return this.card.sink.take();
  }

  /** Bytes waiting in the loopback cable (0 without loopback). */
  get cableBytes(): number {
    return this.card.cable?.length ?? 0;
  }

  /** Pretends the stream behind `fd` has already run `laps` whole buffers: adds laps · buffer_size
   * to hw_ptr, hw_ptr_base, hw_ptr_interrupt, appl_ptr and silence_start, each modulo the
   * boundary. Every relation between the pointers is kept, so the stream behaves as it would after
   * that much time; used to cross the 64-bit boundary in tests without running 2^62 frames. */
  debugShift(fd: number, laps: bigint): void {
    foldAll(this.card);
    const rt = this.sub(fd).rt;
    if (rt.bs === 0n) throw new RangeError('ring-core: debugShift needs hw_params');
    const d = (laps * rt.bs) % rt.boundary;
    const shift = (p: bigint) => (((p + d) % rt.boundary) + rt.boundary) % rt.boundary;
    rt.hwPtr = shift(rt.hwPtr);
    rt.hwPtrBase = shift(rt.hwPtrBase);
    rt.hwPtrInterrupt = shift(rt.hwPtrInterrupt);
    rt.applPtr = shift(rt.applPtr);
    rt.silenceStart = shift(rt.silenceStart);
  }

  /** Data path for benchmarks: WRITEI of `data` (interleaved frames) without building an Outcome.
   * Returns the frames transferred or the errno. (WRITEI on a capture file reads, as in the
   * kernel; the frames read are not returned: use readFrames.) */
  writeFrames(fd: number, data: Uint8Array): number | string {
    if (this.disposed) throw new Error('ring-core: writeFrames on a disposed session');
    const f = this.byFd[fd] ?? this.files.get(fd);
    if (!f) return 'EBADF';
    if (this.card.opts.fastLane) {
      const r = fastWrite(f.sub, f, data);
      if (r !== null) return r;
    } else {
      foldAll(this.card);
    }
    if (this.card.shutdown) return 'ENODEV';
    const r = fileOp(f, { type: 'WRITEI', fd, frames: data.length / f.sub.rt.frameBytes, data }, () => undefined);
    return r.ok ? Number(r.value) : r.errno;
  }

  /** Data path for benchmarks: READI of `into.length` bytes' worth of frames into `into` (a capture
   * file) without building an Outcome. Returns the frames read or the errno. */
  readFrames(fd: number, into: Uint8Array): number | string {
    if (this.disposed) throw new Error('ring-core: readFrames on a disposed session');
    const f = this.byFd[fd] ?? this.files.get(fd);
    if (!f) return 'EBADF';
    if (this.card.opts.fastLane) {
      const r = fastRead(f.sub, f, into);
      if (r !== null) return r;
    } else {
      foldAll(this.card);
    }
    if (this.card.shutdown) return 'ENODEV';
    const r = fileOp(f, { type: 'READI', fd, frames: into.length / f.sub.rt.frameBytes }, () => undefined);
    if (!r.ok) return r.errno;
    if (r.data) into.set(r.data);
    return Number(r.value);
  }

  /** Data path for benchmarks: ADVANCE without building an Outcome. */
  advance(fd: number, n: number): number {
    if (this.disposed) throw new Error('ring-core: advance on a disposed session');
    const s = (this.byFd[fd] ?? this.files.get(fd))?.sub;
    if (!s) throw new RangeError(`ring-core: descriptor ${fd} is not open`);
    if (this.card.opts.fastLane) return fastAdvance(s, frames(n));
    foldAll(this.card);
    return advance(s, frames(n));
  }

  /** The device's view of the live DMA buffer of the stream behind `fd` (runtime->dma_bytes of it;
   * the same memory as an mmap of its data area shows unless the buffer needs syncing), or null
   * without one. With `sharedDma` it lives in a SharedArrayBuffer, so another thread can be the
   * device: it reads (playback) or writes (capture) the frames while this thread calls advance()
   * with the frames it moved. */
  dmaArea(fd: number): Uint8Array | null {
    foldAll(this.card);
    return this.sub(fd).rt.devView;
  }
}

/** See RingCoreDevice.dmaProbe(). */
export interface DmaProbe {
  /** runtime->dma_bytes */
  bytes: number;
  store(side: 'CPU' | 'DEVICE', ofs: number, data: Uint8Array): void;
  load(side: 'CPU' | 'DEVICE', ofs: number, len: number): Uint8Array;
  sync(mode: SyncMode, site: SyncSite): SyncEffect;
}

/** The inspection API's view of the card's buffer memory. */
export interface MemoryView {
  total: number;
  subs: Partial<Record<StreamDir, {
    prealloc_bytes: number;
    buffer_bytes_max: number;
    dma_max: number;
    need_sync: boolean;
    /** The runtime buffer's bytes (null: no runtime, or no buffer). */
    runtime_bytes: number | null;
    runtime_prealloc: boolean;
  }>>;
}

function frames(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`frames must be a non-negative integer, not ${n}`);
  return n;
}
