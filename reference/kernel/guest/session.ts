// One session of the guest agent: the test's file table over real /dev/snd/pcmC*D* files, each
// command executed as the ioctl or syscall it names, the kernel's answer decoded into an Outcome.
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { isErrno } from '../../../spec/abi/errno.ts';
import { FORMATS } from '../../../spec/abi/params.ts';
import { MMAP_OFFSET, PCM_IOCTL, SYNC_PTR_FLAG } from '../../../spec/abi/ioctl.ts';
import { PAGE_SIZE, PCM_INFO, STATUS } from '../../../spec/abi/structs.ts';
import type { StreamDir } from '../../../spec/abi/states.ts';
import { fillPattern, type Command, type Fd, type HwConfig, type MmapArea, type Outcome, type PeekValue } from '../../../spec/device.ts';
import {
  boundaryOf, decodeHwConfig, decodeStatus, decodeSwBoundary, decodeSyncPtr, decodeXferResult, encodeChannelInfo, encodeHwParams,
  encodeSwParams, encodeSyncPtr, encodeXfer, readPages, writeControl,
} from '../codec.ts';
import * as libc from './libc.ts';
import { suspendResume, canSuspend, pcmNode, unplug, type GuestDevice } from './system.ts';

/** Answer for what a real device cannot be made to do on demand (the harness reports UNSUPPORTED). */
export const unsupported = (reason: string): Outcome => ({ ok: false, errno: 'EOPNOTSUPP', unsupported: reason });

interface File {
  kfd: number;
  stream: StreamDir;
  closed: boolean;
  /** Private read-only mappings of the status and control pages, for PEEK and ADVANCE. */
  peek?: { status: libc.Mapping; control: libc.Mapping };
  /** Mappings the test made, per area, newest last. */
  areas: Record<MmapArea, { m: libc.Mapping; prot: number }[]>;
  /** Frames transferred since OPEN: where the test pattern goes on. */
  frames: number;
  hw?: HwConfig & { buffer_size: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const errOf = (r: { ok: false; errno: string | null; raw: number }, what: string): Outcome => {
  if (r.errno === null) throw new Error(`${what}: errno ${r.raw}, which spec/abi/errno.ts does not list`);
  return { ok: false, errno: r.errno as never };
};
const int32 = () => new Uint8Array(4);

export class Session {
  private files = new Map<Fd, File>();
  /** The pending unbind after DISCONNECT: the next session waits for it and binds again. */
  unplugged: { device: string; done: Promise<void> } | null = null;

  /** What each direction's prealloc file read when the session began: a card keeps prealloc writes
   * across sessions, so the session's end writes them back. */
  private readonly prealloc = new Map<StreamDir, string>();

  constructor(private readonly dev: GuestDevice, private readonly pversion: number) {
    for (const stream of Object.keys(dev.pcm) as StreamDir[]) {
      const r = procAccess(dev, { type: 'PROC_READ', stream, file: 'prealloc' });
      if (r.ok && r.text !== undefined) this.prealloc.set(stream, r.text);
    }
  }

  async exec(cmd: Command): Promise<Outcome> {
    switch (cmd.type) {
      case 'SUSPEND':
        if (!canSuspend()) return unsupported('this kernel has no PM test mode (/sys/power/pm_test) to suspend the guest');
        if (this.unplugged) {
          // The unbind waits in the driver core for the last close, holding the device: the
          // system's suspend would refuse with EBUSY.
          return unsupported('the card is being unplugged (its unbind waits for the last close): the system cannot suspend meanwhile');
        }
        suspendResume();
        return { ok: true };
      case 'DISCONNECT':
        return this.disconnect();
      case 'OPEN':
        return this.open(cmd.fd, cmd.stream, cmd.nonblock);
      case 'PROC_READ':
      case 'PROC_WRITE':
        return procAccess(this.dev, cmd);
      default:
        break;
    }
    const f = this.files.get(cmd.fd);
    if (cmd.type === 'PEEK' && (!f || f.closed)) return { ok: true, peek: null }; // no file: nothing to show
    if (cmd.type === 'MUNMAP' && !f) return { ok: true }; // munmap(2) of a range with nothing mapped succeeds
    if (!f || (f.closed && cmd.type !== 'MUNMAP')) return { ok: false, errno: 'EBADF' };
    return this.onFile(f, cmd);
  }

  private open(fd: Fd, stream: StreamDir, nonblock: boolean): Outcome {
    const old = this.files.get(fd);
    // harness.open.slot-in-use: the slot holds an open file, or a closed one whose mappings keep it.
    if (old && (!old.closed || Object.values(old.areas).some((a) => a.length > 0))) return { ok: false, errno: 'EBADF' };
    const path = pcmNode(this.dev, stream);
    if (!path) return { ok: false, errno: 'ENOENT' };
    // pcm.open.ok: open with O_NONBLOCK so the open never waits, then clear it for a blocking file.
    const r = libc.open(path, libc.O_RDWR | libc.O_NONBLOCK | libc.O_CLOEXEC);
    if (!r.ok) return errOf(r, 'open');
    const kfd = r.value;
    if (!nonblock) {
      const fl = libc.getfl(kfd);
      if (!fl.ok || !libc.setfl(kfd, fl.value & ~libc.O_NONBLOCK).ok) throw new Error('fcntl(F_SETFL) failed');
    }
    const f: File = { kfd, stream, closed: false, areas: { DATA: [], STATUS: [], CONTROL: [] }, frames: 0 };
    // Mapped now so that PEEK stays possible after an unplug; ENXIO (explicit-sync drivers) leaves
    // PEEK to SYNC_PTR.
    const st = libc.mmap(kfd, PAGE_SIZE, libc.PROT_READ, MMAP_OFFSET.STATUS_NEW);
    const ct = libc.mmap(kfd, PAGE_SIZE, libc.PROT_READ, MMAP_OFFSET.CONTROL_NEW);
    if (st.ok && ct.ok) f.peek = { status: st.value, control: ct.value };
    else {
      if (st.ok) libc.munmap(st.value);
      if (ct.ok) libc.munmap(ct.value);
    }
    this.files.set(fd, f);
    return { ok: true };
  }

  private closeFile(f: File): void {
    // A live mapping keeps the file (and its substream) after close: unmap ours first.
    if (f.peek) {
      libc.munmap(f.peek.status);
      libc.munmap(f.peek.control);
      f.peek = undefined;
    }
    if (!f.closed) libc.close(f.kfd);
    f.closed = true;
  }

  private releaseAreas(f: File): void {
    for (const a of Object.values(f.areas)) for (const { m } of a.splice(0)) libc.munmap(m);
  }

  /** Closes every file and unmaps every area: the card has no user left. */
  closeAll(): void {
    for (const f of this.files.values()) {
      this.releaseAreas(f);
      this.closeFile(f);
    }
    this.files.clear();
    for (const [stream, text] of this.prealloc) {
      const now = procAccess(this.dev, { type: 'PROC_READ', stream, file: 'prealloc' });
      if (now.ok && now.text !== text) procAccess(this.dev, { type: 'PROC_WRITE', stream, file: 'prealloc', text });
    }
  }

  private frameBytes(f: File): number {
    const hw = f.hw;
    return hw ? (FORMATS[hw.format].bits / 8) * hw.channels : 4;
  }

  private peekOf(f: File): PeekValue | Outcome {
    if (f.peek) return readPages(f.peek.status.view, f.peek.control.view);
    const b = encodeSyncPtr(SYNC_PTR_FLAG.APPL | SYNC_PTR_FLAG.AVAIL_MIN, 0n, 0n, false);
    const r = libc.ioctlPtr(f.kfd, PCM_IOCTL.SYNC_PTR, b);
    if (!r.ok) return errOf(r, 'SYNC_PTR');
    return decodeSyncPtr(b, false);
  }

  /** Milliseconds a blocking call may take before the harness interrupts it (EINTR): well past the
   * kernel's own timeouts (max(100 ms, 1.1 × buffer time) without an interrupt). */
  private deadline(f: File, frames: number): number {
    const hw = f.hw;
    if (!hw || hw.rate <= 0) return 2000;
    return 1000 + (3000 * (hw.buffer_size + frames)) / hw.rate;
  }

  private onFile(f: File, cmd: Exclude<Command, { type: 'OPEN' | 'SUSPEND' | 'DISCONNECT' | 'PROC_READ' | 'PROC_WRITE' }>): Outcome | Promise<Outcome> {
    const simple = (req: number): Outcome => {
      const r = libc.ioctlPtr(f.kfd, req, null);
      return r.ok ? { ok: true } : errOf(r, cmd.type);
    };
    switch (cmd.type) {
      case 'CLOSE':
        this.closeFile(f);
        return { ok: true };
      case 'PVERSION': {
        const b = int32();
        const r = libc.ioctlPtr(f.kfd, PCM_IOCTL.PVERSION, b);
        return r.ok ? { ok: true, value: BigInt(new DataView(b.buffer).getInt32(0, true)) } : errOf(r, cmd.type);
      }
      case 'INFO': {
        const r = libc.ioctlPtr(f.kfd, PCM_IOCTL.INFO, new Uint8Array(PCM_INFO.size));
        return r.ok ? { ok: true } : errOf(r, cmd.type);
      }
      case 'USER_PVERSION':
      case 'TTSTAMP': {
        const b = int32();
        new DataView(b.buffer).setInt32(0, cmd.type === 'TTSTAMP' ? cmd.tstamp_type : cmd.version, true);
        const r = libc.ioctlPtr(f.kfd, PCM_IOCTL[cmd.type], b);
        return r.ok ? { ok: true } : errOf(r, cmd.type);
      }
      case 'HW_REFINE':
      case 'HW_PARAMS': {
        const b = encodeHwParams(cmd.params);
        const r = libc.ioctlPtr(f.kfd, PCM_IOCTL[cmd.type], b);
        if (!r.ok) return errOf(r, cmd.type);
        // The refined configuration; params->flags are the caller's request, not refined: left out,
        // as the seam's `hw` is what the kernel settled on.
        const { flags: _flags, ...hw } = decodeHwConfig(b);
        if (cmd.type === 'HW_PARAMS') f.hw = hw;
        return { ok: true, hw };
      }
      case 'HW_FREE':
      case 'HWSYNC':
      case 'PREPARE':
      case 'RESET':
      case 'START':
      case 'DROP':
      case 'RESUME':
      case 'XRUN':
      case 'UNLINK':
        return simple(PCM_IOCTL[cmd.type]);
      case 'SW_PARAMS': {
        const b = encodeSwParams(cmd.params, this.pversion);
        const r = libc.ioctlPtr(f.kfd, PCM_IOCTL.SW_PARAMS, b);
        return r.ok ? { ok: true, value: decodeSwBoundary(b) } : errOf(r, cmd.type);
      }
      case 'STATUS': {
        const b = new Uint8Array(STATUS.size);
        const r = libc.ioctlPtr(f.kfd, cmd.ext ? PCM_IOCTL.STATUS_EXT : PCM_IOCTL.STATUS, b);
        return r.ok ? { ok: true, status: decodeStatus(b) } : errOf(r, cmd.type);
      }
      case 'DELAY': {
        const b = new Uint8Array(8);
        const r = libc.ioctlPtr(f.kfd, PCM_IOCTL.DELAY, b);
        return r.ok ? { ok: true, value: new DataView(b.buffer).getBigInt64(0, true) } : errOf(r, cmd.type);
      }
      case 'SYNC_PTR': {
        const b = encodeSyncPtr(cmd.flags, cmd.appl_ptr, cmd.avail_min, cmd.compat32);
        const r = libc.ioctlPtr(f.kfd, cmd.compat32 ? PCM_IOCTL.SYNC_PTR32 : PCM_IOCTL.SYNC_PTR, b);
        return r.ok ? { ok: true, sync: decodeSyncPtr(b, cmd.compat32) } : errOf(r, cmd.type);
      }
      case 'CHANNEL_INFO': {
        const r = libc.ioctlPtr(f.kfd, PCM_IOCTL.CHANNEL_INFO, encodeChannelInfo(cmd.channel));
        return r.ok ? { ok: true } : errOf(r, cmd.type);
      }
      case 'DRAIN': {
        const r = libc.withDeadline(this.deadline(f, 0), () => libc.ioctlPtr(f.kfd, PCM_IOCTL.DRAIN, null));
        return r.ok ? { ok: true } : errOf(r, cmd.type);
      }
      case 'PAUSE': {
        const r = libc.ioctlInt(f.kfd, PCM_IOCTL.PAUSE, cmd.push ? 1 : 0);
        return r.ok ? { ok: true } : errOf(r, cmd.type);
      }
      case 'REWIND':
      case 'FORWARD': {
        const b = new Uint8Array(8);
        const v = new DataView(b.buffer);
        v.setBigUint64(0, BigInt.asUintN(64, cmd.frames), true);
        const r = libc.ioctlPtr(f.kfd, PCM_IOCTL[cmd.type], b);
        return r.ok ? { ok: true, value: v.getBigInt64(0, true) } : errOf(r, cmd.type);
      }
      case 'WRITEI':
      case 'READI':
      case 'WRITEN':
      case 'READN':
        return this.xfer(f, cmd.type, cmd.frames, cmd.data);
      case 'WRITE':
      case 'READ':
        return this.rw(f, cmd.type, cmd.bytes, cmd.data);
      case 'LINK': {
        const other = this.files.get(cmd.other);
        const r = libc.ioctlInt(f.kfd, PCM_IOCTL.LINK, other && !other.closed ? other.kfd : -1);
        return r.ok ? { ok: true } : errOf(r, cmd.type);
      }
      case 'POLL': {
        const r = libc.poll1(f.kfd, libc.POLL_ALL);
        return r.ok ? { ok: true, value: BigInt(r.value) } : errOf(r, cmd.type);
      }
      case 'MMAP':
        return this.mmap(f, cmd.area, cmd.bytes, cmd.offset, cmd.prot);
      case 'MUNMAP': {
        const m = f.areas[cmd.area].pop();
        if (!m) return { ok: true }; // munmap(2) of a range with nothing mapped succeeds
        const r = libc.munmap(m.m);
        return r.ok ? { ok: true } : errOf(r, cmd.type);
      }
      case 'CONTROL_WRITE': {
        const m = [...f.areas.CONTROL].reverse().find((x) => x.prot & libc.PROT_WRITE);
        if (!m) return { ok: false, errno: 'EFAULT' }; // pcm.control-write.ok: the store would fault
        writeControl(m.m.view, cmd.appl_ptr, cmd.avail_min);
        return { ok: true };
      }
      case 'PEEK': {
        const p = this.peekOf(f);
        return 'ok' in p ? p : { ok: true, peek: p };
      }
      case 'RAW_IOCTL': {
        // A zeroed argument as large as the request's size field says (_IOC_SIZE).
        const size = (cmd.request >>> 16) & 0x3fff;
        const r = libc.ioctlPtr(f.kfd, cmd.request >>> 0, size ? new Uint8Array(size) : null);
        return r.ok ? { ok: true } : errOf(r, cmd.type);
      }
      case 'MAP_WRITE':
      case 'MAP_READ':
        return this.mapAccess(f, cmd);
      case 'ADVANCE':
        return this.advance(f, cmd.frames);
      case 'DEVICE_XRUN':
        return this.deviceXrun(f);
      case 'MOVED':
        return unsupported('MOVED tells the model what a device did; a device has no such call');
    }
  }

  /** Loads and stores through the newest data mapping; outside it the access would fault. */
  private mapAccess(f: File, cmd: Extract<Command, { type: 'MAP_WRITE' | 'MAP_READ' }>): Outcome {
    const m = f.areas.DATA[f.areas.DATA.length - 1];
    const fb = this.frameBytes(f);
    const bytes = cmd.frames * fb;
    const pageLen = Math.ceil((m?.m.len ?? 0) / PAGE_SIZE) * PAGE_SIZE;
    if (!m || cmd.offset < 0 || bytes < 0 || cmd.offset + bytes > pageLen) return { ok: false, errno: 'EFAULT' };
    const inMap = Math.max(0, Math.min(bytes, m.m.len - cmd.offset));
    const view = new Uint8Array(m.m.view.buffer, m.m.view.byteOffset, m.m.len);
    if (cmd.type === 'MAP_READ') {
      const out = new Uint8Array(bytes);
      out.set(view.subarray(cmd.offset, cmd.offset + inMap));
      return { ok: true, data: out };
    }
    let src = cmd.data;
    if (!src) {
      src = new Uint8Array(bytes);
      fillPattern(src, f.frames, fb);
      f.frames += cmd.frames;
    }
    view.set(src.subarray(0, inMap), cmd.offset);
    return { ok: true };
  }

  private mmap(f: File, area: MmapArea, bytes?: number, offset?: number, prot?: 'R' | 'W' | 'RW' | 'NONE'): Outcome {
    const p = prot === 'NONE' ? libc.PROT_NONE : prot === 'R' ? libc.PROT_READ : prot === 'W' ? libc.PROT_WRITE : libc.PROT_READ | libc.PROT_WRITE;
    const len = bytes ?? (area === 'DATA' ? (f.hw ? f.hw.buffer_size * this.frameBytes(f) : PAGE_SIZE) : PAGE_SIZE);
    const base = area === 'DATA' ? 0 : area === 'STATUS' ? MMAP_OFFSET.STATUS_NEW : MMAP_OFFSET.CONTROL_NEW;
    const r = libc.mmap(f.kfd, len, p, base + (offset ?? 0));
    if (!r.ok) return errOf(r, 'MMAP');
    f.areas[area].push({ m: r.value, prot: p });
    return { ok: true };
  }

  private xfer(f: File, type: 'WRITEI' | 'READI' | 'WRITEN' | 'READN', frames: number, data?: Uint8Array): Outcome {
    const fb = this.frameBytes(f);
    const bytes = frames * fb;
    const playback = f.stream === 'PLAYBACK'; // pcm.xfer.direction: the stream decides, not the ioctl
    const nonInterleaved = type === 'WRITEN' || type === 'READN';
    const channels = f.hw?.channels ?? 1;
    const width = fb / channels;
    const src = new Uint8Array(bytes);
    if (playback) {
      if (data) src.set(data.subarray(0, bytes));
      else fillPattern(src, f.frames, fb);
    }
    const bufs: libc.NativeBuf[] = [];
    try {
      let ptr: bigint;
      if (!nonInterleaved) {
        const nb = new libc.NativeBuf(bytes);
        bufs.push(nb);
        nb.bytes.set(src);
        ptr = nb.address;
      } else {
        // One buffer per channel, and the array of their addresses.
        const arr = new libc.NativeBuf(8 * channels);
        bufs.push(arr);
        const av = new DataView(arr.bytes.buffer, arr.bytes.byteOffset, arr.bytes.byteLength);
        for (let c = 0; c < channels; c++) {
          const cb = new libc.NativeBuf(frames * width);
          bufs.push(cb);
          if (playback && data) cb.bytes.set(data.subarray(c * frames * width, (c + 1) * frames * width)); // one block per channel (spec/device.ts)
          else for (let i = 0; i < frames; i++) cb.bytes.set(src.subarray(i * fb + c * width, i * fb + (c + 1) * width), i * width);
          av.setBigUint64(8 * c, cb.address, true);
        }
        ptr = arr.address;
      }
      const x = encodeXfer(ptr, frames);
      const r = libc.withDeadline(this.deadline(f, frames), () => libc.ioctlPtr(f.kfd, PCM_IOCTL[`${type}_FRAMES`], x));
      if (!r.ok) return errOf(r, type);
      const n = Number(decodeXferResult(x));
      f.frames += n;
      if (playback) return { ok: true, value: BigInt(n) };
      const out = new Uint8Array(n * fb);
      if (!nonInterleaved) out.set(bufs[0]!.bytes.subarray(0, n * fb));
      else for (let c = 0; c < channels; c++) out.set(bufs[c + 1]!.bytes.subarray(0, n * width), c * n * width); // one block per channel
      return { ok: true, value: BigInt(n), data: out };
    } finally {
      for (const b of bufs) b.free();
    }
  }

  private rw(f: File, type: 'WRITE' | 'READ', bytes: number, data?: Uint8Array): Outcome {
    const fb = this.frameBytes(f);
    const nb = new libc.NativeBuf(bytes);
    try {
      const playback = f.stream === 'PLAYBACK';
      if (playback) {
        if (data) nb.bytes.set(data.subarray(0, bytes));
        else fillPattern(nb.bytes, f.frames, fb);
      }
      const r = libc.withDeadline(this.deadline(f, Math.ceil(bytes / fb)), () =>
        type === 'WRITE' ? libc.write(f.kfd, nb.bytes, bytes) : libc.read(f.kfd, nb.bytes, bytes));
      if (!r.ok) return errOf(r, type);
      f.frames += Math.floor(r.value / fb);
      return playback ? { ok: true, value: BigInt(r.value) } : { ok: true, value: BigInt(r.value), data: nb.bytes.slice(0, r.value) };
    } finally {
      nb.free();
    }
  }

  /**
   * ADVANCE on a real device: time is not ours. Waits until the device has run at least `frames`
   * frames, as the status page shows them (hw_ptr as the driver's period interrupts store it, so
   * nothing is updated on our behalf), or until the stream stops or a deadline passes; answers the
   * frames observed.
   */
  private async advance(f: File, frames: number): Promise<Outcome> {
    const first = this.peekOf(f);
    if ('ok' in first) return first;
    const moving = (s: PeekValue['state']) => s === 'RUNNING' || (s === 'DRAINING' && f.stream === 'PLAYBACK');
    if (!moving(first.state) || frames <= 0 || !f.hw) return { ok: true, value: 0n };
    const boundary = boundaryOf(f.hw.buffer_size);
    const end = Date.now() + this.deadline(f, frames);
    const pollMs = Math.max(1, Math.min(10, (f.hw.period_size * 250) / f.hw.rate));
    let moved = 0n;
    for (;;) {
      const p = this.peekOf(f);
      if ('ok' in p) return p;
      moved = (p.hw_ptr - first.hw_ptr + boundary) % boundary;
      if (moved >= BigInt(frames) || !moving(p.state) || Date.now() > end) break;
      await sleep(pollMs);
    }
    return { ok: true, value: moved };
  }

  /** A driver-detected xrun (snd_pcm_stop_xrun) cannot be caused on demand; on a RUNNING stream the
   * XRUN ioctl has the same effect, a stream that does not run is left alone (device.xrun.driver). */
  private deviceXrun(f: File): Outcome {
    const p = this.peekOf(f);
    if ('ok' in p) return p;
    if (p.state === 'RUNNING') {
      const r = libc.ioctlPtr(f.kfd, PCM_IOCTL.XRUN, null);
      return r.ok ? { ok: true } : errOf(r, 'XRUN');
    }
    if (p.state === 'DRAINING' && f.stream === 'PLAYBACK') {
      return unsupported('a real driver cannot be made to report an xrun while draining (the XRUN ioctl refuses DRAINING)');
    }
    return { ok: true };
  }

  /** Unplugs the card and waits until the open files see it (their status page says DISCONNECTED),
   * or, with none open, until the unbind is through. */
  private async disconnect(): Promise<Outcome> {
    if (this.unplugged) return { ok: true };
    this.unplugged = unplug(this.dev);
    const open = [...this.files.values()].filter((f) => !f.closed && f.peek);
    const end = Date.now() + 5000;
    if (open.length === 0) {
      await Promise.race([this.unplugged.done, sleep(5000)]);
      return { ok: true };
    }
    while (Date.now() < end) {
      if (open.every((f) => readPages(f.peek!.status.view, f.peek!.control.view).state === 'DISCONNECTED')) return { ok: true };
      await sleep(2);
    }
    throw new Error('DISCONNECT: the open files did not become DISCONNECTED within 5 s');
  }
}

/** A whole proc-file access (buffer.proc.*): open(2), one read(2) or write(2), close(2), on
 * /proc/asound/cardC/pcmD{p,c}/sub0/<file> of the device's node for the direction. */
export function procAccess(dev: GuestDevice, cmd: Extract<Command, { type: 'PROC_READ' | 'PROC_WRITE' }>): Outcome {
  const node = pcmNode(dev, cmd.stream);
  const m = node ? /pcmC(\d+)D(\d+)([pc])$/.exec(node) : null;
  if (!m) return { ok: false, errno: 'ENOENT' };
  const path = `/proc/asound/card${m[1]}/pcm${m[2]}${m[3]}/sub0/${cmd.file}`;
  const code = (e: unknown): Outcome => {
    const errno = (e as NodeJS.ErrnoException).code;
    if (!errno || !isErrno(errno)) throw e;
    return { ok: false, errno };
  };
  let fd: number;
  try {
    fd = openSync(path, cmd.type === 'PROC_READ' ? 'r' : 'w');
  } catch (e) {
    return code(e);
  }
  try {
    if (cmd.type === 'PROC_READ') {
      const buf = Buffer.alloc(4096);
      const n = readSync(fd, buf, 0, buf.length, null);
      return { ok: true, text: buf.subarray(0, n).toString('latin1') };
    }
    const n = writeSync(fd, Buffer.from(cmd.text, 'latin1'));
    return { ok: true, value: BigInt(n) };
  } catch (e) {
    return code(e);
  } finally {
    closeSync(fd); // the write's callback runs here; its error is never returned (buffer.proc.write-swallowed)
  }
}
