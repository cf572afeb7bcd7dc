// Linux errno values on x86_64 (include/uapi/asm-generic/errno-base.h, errno.h) for the errors
// the PCM core returns. The kernel returns them negated; the spec names them.

export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EFAULT: 14,
  EBUSY: 16,
  ENODEV: 19,
  EINVAL: 22,
  ENOTTY: 25,
  ENOSPC: 28,
  EPIPE: 32,
  ENOSYS: 38,
  ENODATA: 61,
  EBADFD: 77,
  ESTRPIPE: 86,
  EOPNOTSUPP: 95,
  EALREADY: 114,
  ERESTARTSYS: 512,
} as const;

export type Errno = keyof typeof ERRNO;

const BY_VALUE = new Map<number, Errno>(Object.entries(ERRNO).map(([k, v]) => [v, k as Errno]));

/** Name of a positive errno value, e.g. 77 -> 'EBADFD'. */
export function errnoName(value: number): Errno {
  const n = BY_VALUE.get(Math.abs(value));
  if (!n) throw new RangeError(`errno ${value} is not one the PCM core returns`);
  return n;
}

export function isErrno(name: string): name is Errno {
  return Object.prototype.hasOwnProperty.call(ERRNO, name);
}
