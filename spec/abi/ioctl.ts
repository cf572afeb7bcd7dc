// PCM ioctl numbers on x86_64, computed with the kernel's _IOC encoding (include/uapi/asm-generic/ioctl.h)
// from the struct sizes in ./structs.ts. test/spec/abi.test.ts checks them against gcc's answers.
import { CHANNEL_INFO, HW_PARAMS, PCM_INFO, STATUS, SW_PARAMS, SYNC_PTR, SYNC_PTR32, XFERI, XFERN } from './structs.ts';

const NONE = 0, WRITE = 1, READ = 2;
const ioc = (dir: number, nr: number, size: number) => ((dir << 30) | (size << 16) | (0x41 /* 'A' */ << 8) | nr) >>> 0;
const io = (nr: number) => ioc(NONE, nr, 0);
const ior = (nr: number, size: number) => ioc(READ, nr, size);
const iow = (nr: number, size: number) => ioc(WRITE, nr, size);
const iowr = (nr: number, size: number) => ioc(READ | WRITE, nr, size);

const INT = 4, LONG = 8;

export const PCM_IOCTL = {
  PVERSION: ior(0x00, INT),
  INFO: ior(0x01, PCM_INFO.size),
  TSTAMP: iow(0x02, INT),
  TTSTAMP: iow(0x03, INT),
  USER_PVERSION: iow(0x04, INT),
  HW_REFINE: iowr(0x10, HW_PARAMS.size),
  HW_PARAMS: iowr(0x11, HW_PARAMS.size),
  HW_FREE: io(0x12),
  SW_PARAMS: iowr(0x13, SW_PARAMS.size),
  STATUS: ior(0x20, STATUS.size),
  DELAY: ior(0x21, LONG),
  HWSYNC: io(0x22),
  SYNC_PTR: iowr(0x23, SYNC_PTR.size),
  SYNC_PTR32: iowr(0x23, SYNC_PTR32.size),
  STATUS_EXT: iowr(0x24, STATUS.size),
  CHANNEL_INFO: ior(0x32, CHANNEL_INFO.size),
  PREPARE: io(0x40),
  RESET: io(0x41),
  START: io(0x42),
  DROP: io(0x43),
  DRAIN: io(0x44),
  PAUSE: iow(0x45, INT),
  REWIND: iow(0x46, LONG),
  RESUME: io(0x47),
  XRUN: io(0x48),
  FORWARD: iow(0x49, LONG),
  WRITEI_FRAMES: iow(0x50, XFERI.size),
  READI_FRAMES: ior(0x51, XFERI.size),
  WRITEN_FRAMES: iow(0x52, XFERN.size),
  READN_FRAMES: ior(0x53, XFERN.size),
  LINK: iow(0x60, INT),
  UNLINK: io(0x61),
} as const;

export type PcmIoctlName = keyof typeof PCM_IOCTL;

/** mmap offsets (SNDRV_PCM_MMAP_OFFSET_*); on 64-bit the _NEW ones are the defaults. */
export const MMAP_OFFSET = {
  DATA: 0x00000000,
  STATUS_OLD: 0x80000000,
  CONTROL_OLD: 0x81000000,
  STATUS_NEW: 0x82000000,
  CONTROL_NEW: 0x83000000,
} as const;

/** SNDRV_PCM_SYNC_PTR_* flags. */
export const SYNC_PTR_FLAG = { HWSYNC: 1 << 0, APPL: 1 << 1, AVAIL_MIN: 1 << 2 } as const;

/** SNDRV_PROTOCOL_VERSION(major, minor, subminor). */
export const protocolVersion = (a: number, b: number, c: number) => (a << 16) | (b << 8) | c;

/** SNDRV_PCM_VERSION answered by PVERSION: 2.0.18 on Linux 7.2, 2.0.15 on 6.1. */
export const PCM_VERSION = { '7.2': protocolVersion(2, 0, 18), '6.1': protocolVersion(2, 0, 15) } as const;
