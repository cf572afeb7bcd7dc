// The libc calls the guest agent makes, through koffi: raw open/ioctl/mmap/… with errno, and a
// per-call deadline that interrupts a blocking call with a signal (EINTR) instead of hanging.
import koffi from 'koffi';
import { errnoName, type Errno } from '../../../spec/abi/errno.ts';

const lc = koffi.load('libc.so.6');

const c_open = lc.func('int open(const char *path, int flags, ...)');
const c_close = lc.func('int close(int fd)');
const c_fcntl = lc.func('int fcntl(int fd, int cmd, ...)');
const c_ioctl = lc.func('int ioctl(int fd, unsigned long req, ...)');
const c_read = lc.func('long read(int fd, void *buf, unsigned long n)');
const c_write = lc.func('long write(int fd, void *buf, unsigned long n)');
const c_poll = lc.func('int poll(void *fds, unsigned long n, int timeout)');
const c_mmap = lc.func('void *mmap(void *addr, unsigned long len, int prot, int flags, int fd, long off)');
const c_munmap = lc.func('int munmap(void *addr, unsigned long len)');
const c_syscall = lc.func('long syscall(long nr, ...)');
const c_mlock = lc.func('int mlock(unsigned long addr, unsigned long len)');
const c_sigaction = lc.func('int sigaction(int sig, void *act, void *old)');
const c_timer_create = lc.func('int timer_create(int clock, void *sev, _Out_ void **timer)');
const c_timer_settime = lc.func('int timer_settime(void *timer, int flags, void *value, void *old)');
const c_timer_delete = lc.func('int timer_delete(void *timer)');

export const O_RDWR = 0o2, O_NONBLOCK = 0o4000, O_CLOEXEC = 0o2000000;
export const F_GETFL = 3, F_SETFL = 4;
export const PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
export const POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLNVAL = 0x20;
/** Every event bit: poll(2) passes on only those asked for, besides POLLERR and POLLHUP (not
 * POLLNVAL, which a disconnected card's poll answers with EPOLLERR). */
export const POLL_ALL = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20 | 0x40 | 0x80 | 0x100 | 0x200;
const SYS_gettid = 186, SYS_finit_module = 313;
const SIGUSR2 = 12, SA_RESTART = 0x10000000, CLOCK_MONOTONIC = 1, SIGEV_THREAD_ID = 4;

export type Ptr = unknown;

/** A syscall's answer: a value, or the errno it failed with. */
export type Res<T = number> = { ok: true; value: T } | { ok: false; errno: Errno | null; raw: number };

/** The failed call's errno: its name when spec/abi/errno.ts has it (every PCM error), else null. */
function fail<T>(): Res<T> {
  const e = koffi.errno();
  let name: Errno | null = null;
  try {
    name = errnoName(e);
  } catch { /* an errno the PCM core does not return: raw only */ }
  return { ok: false, errno: name, raw: e };
}
const res = (r: number | bigint): Res => (Number(r) < 0 ? fail() : { ok: true, value: Number(r) });

export const open = (path: string, flags: number): Res => res(c_open(path, flags) as number);
export const close = (fd: number): Res => res(c_close(fd) as number);
export const getfl = (fd: number): Res => res(c_fcntl(fd, F_GETFL) as number);
export const setfl = (fd: number, flags: number): Res => res(c_fcntl(fd, F_SETFL, 'int', flags) as number);
/** ioctl with a pointer argument (the struct is read and written in place). */
export const ioctlPtr = (fd: number, req: number, arg: Uint8Array | null): Res => res(c_ioctl(fd, req, 'void *', arg) as number);
/** ioctl with an int argument passed by value (PAUSE, LINK). */
export const ioctlInt = (fd: number, req: number, arg: number): Res => res(c_ioctl(fd, req, 'long', arg) as number);
export const read = (fd: number, buf: Uint8Array, n: number): Res => res(c_read(fd, buf, n) as number);
export const write = (fd: number, buf: Uint8Array, n: number): Res => res(c_write(fd, buf, n) as number);

/** poll(2) of one fd with a zero timeout: its revents. */
export function poll1(fd: number, events: number): Res {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setInt32(0, fd, true);
  v.setInt16(4, events, true);
  const r = res(c_poll(b, 1, 0) as number);
  return r.ok ? { ok: true, value: v.getUint16(6, true) } : r;
}

export interface Mapping {
  ptr: Ptr;
  len: number;
  view: DataView;
}
export function mmap(fd: number, len: number, prot: number, offset: number): Res<Mapping> {
  const p = c_mmap(null, len, prot, MAP_SHARED, fd, offset);
  if (koffi.address(p) === 0xffffffffffffffffn) return fail();
  return { ok: true, value: { ptr: p, len, view: new DataView(koffi.view(p, len)) } };
}
export const munmap = (m: Mapping): Res => res(c_munmap(m.ptr, m.len) as number);

/** Native memory for data transfers (the kernel copies to and from it). */
export class NativeBuf {
  ptr: Ptr;
  bytes: Uint8Array;
  constructor(readonly size: number) {
    this.ptr = koffi.alloc('uint8_t', Math.max(size, 1));
    this.bytes = new Uint8Array(koffi.view(this.ptr, Math.max(size, 1)), 0, size);
  }
  get address(): bigint {
    return koffi.address(this.ptr);
  }
  free(): void {
    koffi.free(this.ptr);
  }
}

/**
 * Faults in and locks every page of the files mapped now (Node, its libraries, koffi): they come
 * from the host over 9p, whose virtio transport does not come back from a system suspend, so no
 * code page may be read from it after the first SUSPEND. Anonymous memory is left alone (locking
 * it all with mlockall broke V8's later mprotect of its code space). Returns the bytes locked.
 */
export function lockMappedFiles(maps: string): number {
  let total = 0;
  for (const line of maps.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \d+\s+(\/\S.*)$/.exec(line);
    if (!m || m[3]!.startsWith('---') || /^\/(dev|proc|sys|tmp|memfd:)/.test(m[4]!)) continue;
    const start = parseInt(m[1]!, 16), len = parseInt(m[2]!, 16) - start;
    if ((c_mlock(start, len) as number) < 0) throw new Error(`mlock ${m[4]}: errno ${koffi.errno()}`);
    total += len;
  }
  return total;
}

export const gettid = (): number => Number(c_syscall(SYS_gettid));

/** finit_module(2) of a module file with its parameters. EEXIST means it is already loaded. */
export function finitModule(path: string, params: string): Res {
  const fd = open(path, O_CLOEXEC);
  if (!fd.ok) return fd;
  const r = res(c_syscall(SYS_finit_module, 'int', fd.value, 'const char *', params, 'int', 0) as bigint);
  const e = r.ok ? null : r;
  close(fd.value);
  return e ?? r;
}

// -- deadlines ---------------------------------------------------------------------------------

let interruptReady = false;

/**
 * Makes SIGUSR2 interrupt a blocking syscall. Node installs its own handler when a listener is
 * added, with SA_RESTART, which would restart the kernel's -ERESTARTSYS; the flag is cleared so the
 * call returns EINTR instead.
 */
function armInterruptSignal(): void {
  if (interruptReady) return;
  process.on('SIGUSR2', () => { /* the interrupted call reports EINTR */ });
  const act = new Uint8Array(152); // glibc struct sigaction on x86_64
  if ((c_sigaction(SIGUSR2, null, act) as number) < 0) throw new Error('sigaction(SIGUSR2) read failed');
  const v = new DataView(act.buffer);
  const SA_FLAGS = 136;
  v.setInt32(SA_FLAGS, v.getInt32(SA_FLAGS, true) & ~SA_RESTART, true);
  if ((c_sigaction(SIGUSR2, act, null) as number) < 0) throw new Error('sigaction(SIGUSR2) write failed');
  interruptReady = true;
}

/** Runs a call that may block, with a timer that signals this thread after `ms`. */
export function withDeadline<T>(ms: number, call: () => T): T {
  armInterruptSignal();
  const sev = new Uint8Array(64);
  const sv = new DataView(sev.buffer);
  sv.setInt32(8, SIGUSR2, true); // sigev_signo
  sv.setInt32(12, SIGEV_THREAD_ID, true); // sigev_notify
  sv.setInt32(16, gettid(), true); // _sigev_un._tid
  const out: [Ptr] = [null];
  if ((c_timer_create(CLOCK_MONOTONIC, sev, out) as number) < 0) throw new Error('timer_create failed');
  const timer = out[0];
  try {
    const its = new Uint8Array(32); // it_interval = 0, it_value = ms
    const iv = new DataView(its.buffer);
    iv.setBigInt64(16, BigInt(Math.floor(ms / 1000)), true);
    iv.setBigInt64(24, BigInt(Math.round((ms % 1000) * 1e6)), true);
    c_timer_settime(timer, 0, its, null);
    return call();
  } finally {
    c_timer_delete(timer);
  }
}
