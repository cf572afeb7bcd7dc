// One session of the ring core: a fresh card, its file table and mappings, and the device-side
// events. Implements the PcmDevice seam synchronously, plus an inspection API for tests and a data
// path for benchmarks.
import type { Command, DeviceInfo, MmapArea, Outcome, PcmDevice, PeekValue } from '../../spec/device.ts';
import { Card, PcmFile, isRunning, type Substream } from './card.ts';
import { kerr } from './errors.ts';
import { copyCaps, type ResolvedOptions } from './options.ts';
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
      case 'SUSPEND':
        for (const s of card.subs) if (s.runtime) suspend(s); // snd_pcm_suspend_all(): EBUSY skips
        return ok();
      case 'DISCONNECT':
        this.disconnect();
        return ok();
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

  /** The live DMA buffer of the stream behind `fd` — what an mmap of its data area shows — or null
   * without one. With `sharedDma` it lives in a SharedArrayBuffer, so another thread can be the
   * device: it reads (playback) or writes (capture) the frames while this thread calls advance()
   * with the frames it moved. */
  dmaArea(fd: number): Uint8Array | null {
    return this.sub(fd).rt.dma;
  }
}

function frames(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`frames must be a non-negative integer, not ${n}`);
  return n;
}
