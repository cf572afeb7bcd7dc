// One session of the reference accelerator: a fresh card with one accel compress device, the
// session's file table (the stream file and the dma-buf descriptors TASK_CREATE installs), and the
// dispatch from seam commands to the core, the driver and the buffers.
import type { AccelCommand, AccelDevice, AccelDeviceInfo, AccelOutcome } from '../../spec/accel-device.ts';
import { POLL } from '../../spec/abi/compress.ts';
import { snd_compr_open, type AccelStream, type CoreOptions, type FdTable } from './core.ts';
import type { ReferenceAccelDriver } from './driver.ts';
import type { DmaBuf, TaskRuntime } from './runtime.ts';

/** Descriptors 0..2 are stdio and 3 the stream file; dma-bufs get the lowest free from 4. */
const FIRST_DMABUF_FD = 4;

export class ReferenceAccelSession implements AccelDevice, FdTable {
  private stream: AccelStream | null = null;
  private readonly fds = new Map<number, DmaBuf>();

  constructor(
    readonly info: AccelDeviceInfo,
    private readonly driver: ReferenceAccelDriver,
    private readonly opts: CoreOptions,
  ) {}

  install(buf: DmaBuf): number {
    let fd = FIRST_DMABUF_FD;
    while (this.fds.has(fd)) fd++;
    this.fds.set(fd, buf);
    return fd;
  }

  exec(cmd: AccelCommand): AccelOutcome | Promise<AccelOutcome> {
    switch (cmd.type) {
      case 'DMABUF_WRITE': {
        const b = this.fds.get(cmd.fd);
        if (!b) return { ok: false, errno: 'EBADF' };
        if (cmd.offset < 0 || cmd.offset + cmd.data.length > b.size) return { ok: false, errno: 'EINVAL' };
        new Uint8Array(b.sab, cmd.offset, cmd.data.length).set(cmd.data);
        return { ok: true };
      }
      case 'DMABUF_READ': {
        const b = this.fds.get(cmd.fd);
        if (!b) return { ok: false, errno: 'EBADF' };
        if (cmd.offset < 0 || cmd.bytes < 0 || cmd.offset + cmd.bytes > b.size) return { ok: false, errno: 'EINVAL' };
        return { ok: true, data: new Uint8Array(b.sab, cmd.offset, cmd.bytes).slice() };
      }
      case 'DMABUF_CLOSE':
        return this.fds.delete(cmd.fd) ? { ok: true } : { ok: false, errno: 'EBADF' };
      case 'TASK_FINISHED': {
        const r = this.driver.run();
        const out = (t: TaskRuntime | null): AccelOutcome => ({ ok: true, finished: t ? t.seqno : 0n });
        return r instanceof Promise ? r.then(out) : out(r);
      }
      case 'OPEN': {
        const r = snd_compr_open(this.driver, cmd.mode, this, this.opts);
        if (!r.ok) return r;
        this.stream = r.stream;
        return { ok: true };
      }
    }
    const s = this.stream;
    if (s === null) {
      if (cmd.type === 'POLL') return { ok: true, revents: POLL.NVAL };
      return { ok: false, errno: 'EBADF', rule: 'accel.file.closed' };
    }
    switch (cmd.type) {
      case 'CLOSE':
        this.stream = null;
        s.release();
        return { ok: true };
      case 'READ':
      case 'WRITE':
        return s.readWrite();
      case 'MMAP':
        return s.mmap();
      case 'POLL':
        return s.poll(cmd.events, cmd.timeout);
      default:
        return s.ioctl(cmd);
    }
  }

  dispose(): void {
    if (this.stream) this.stream.release();
    this.stream = null;
    this.fds.clear();
  }
}
