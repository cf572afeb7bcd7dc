// Command sequences that reach every sync point of both directions, and the refusals of the status
// and control pages: fd 0 plays, fd 1 captures (a loopback device).
import type { Command, HwConfig } from '../../spec/device.ts';

const hw: HwConfig = { access: 'RW_INTERLEAVED', format: 'S16_LE', channels: 2, rate: 48000, period_size: 256, periods: 4 };
const sw = (fd: number, p: { start?: bigint; silence?: bigint } = {}): Command => ({
  type: 'SW_PARAMS', fd,
  params: { avail_min: 256n, start_threshold: p.start ?? 1n, stop_threshold: 1024n, silence_threshold: p.silence ?? 0n, silence_size: p.silence ?? 0n },
});
const syncPtr = (fd: number, flags: number, appl: bigint): Command => ({ type: 'SYNC_PTR', fd, flags, appl_ptr: appl, avail_min: 256n, compat32: false });

export interface SyncScenario {
  id: string;
  title: string;
  commands: Command[];
}

export const SYNC_SCENARIOS: readonly SyncScenario[] = [
  {
    id: 'playback',
    title: 'a playback stream passes every DEVICE sync point (transfer, rewind, forward, SYNC_PTR, silence) and the CPU ones of HWSYNC and DELAY',
    commands: [
      { type: 'HWSYNC', fd: 0 }, // no file yet
      { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true },
      { type: 'HWSYNC', fd: 0 }, // OPEN: EBADFD, the CPU sync is still called (no buffer)
      { type: 'HW_PARAMS', fd: 0, params: hw },
      { type: 'MMAP', fd: 0, area: 'STATUS', prot: 'R' },
      { type: 'MMAP', fd: 0, area: 'CONTROL' },
      { type: 'HWSYNC', fd: 0 }, // SETUP: EBADFD with a buffer
      sw(0, { start: 1024n }),
      { type: 'PREPARE', fd: 0 },
      { type: 'WRITEI', fd: 0, frames: 512 },
      { type: 'START', fd: 0 },
      { type: 'ADVANCE', fd: 0, frames: 256 },
      { type: 'WRITEI', fd: 0, frames: 256 },
      { type: 'REWIND', fd: 0, frames: 128n },
      { type: 'FORWARD', fd: 0, frames: 64n },
      syncPtr(0, 0, 768n),
      syncPtr(0, 2, 0n),
      syncPtr(0, 7, 0n),
      syncPtr(0, 4, 1n << 62n), // refused: no DEVICE sync
      { type: 'HWSYNC', fd: 0 },
      { type: 'DELAY', fd: 0 },
      { type: 'ADVANCE', fd: 0, frames: 256 },
      sw(0, { silence: 256n }),
      { type: 'ADVANCE', fd: 0, frames: 512 },
      { type: 'WRITEI', fd: 0, frames: 1024 },
      { type: 'ADVANCE', fd: 0, frames: 2048 },
      { type: 'DROP', fd: 0 },
      { type: 'HW_FREE', fd: 0 },
      { type: 'HW_PARAMS', fd: 0, params: hw }, // the buffer comes back, its clear not flushed
      { type: 'HW_FREE', fd: 0 },
      { type: 'HW_PARAMS', fd: 0, params: hw }, // and again, while the CPU's view is ahead
      { type: 'CLOSE', fd: 0 },
    ],
  },
  {
    id: 'capture',
    title: 'a capture stream passes every CPU sync point (transfer, HWSYNC, DELAY, SYNC_PTR with HWSYNC) and the DEVICE ones of rewind, forward and SYNC_PTR',
    commands: [
      { type: 'OPEN', fd: 1, stream: 'CAPTURE', nonblock: true },
      { type: 'HW_PARAMS', fd: 1, params: hw },
      { type: 'MMAP', fd: 1, area: 'STATUS', prot: 'R' },
      { type: 'PREPARE', fd: 1 },
      { type: 'START', fd: 1 },
      { type: 'ADVANCE', fd: 1, frames: 512 },
      { type: 'READI', fd: 1, frames: 256 },
      { type: 'HWSYNC', fd: 1 },
      { type: 'DELAY', fd: 1 },
      syncPtr(1, 1, 256n),
      { type: 'REWIND', fd: 1, frames: 64n },
      { type: 'FORWARD', fd: 1, frames: 64n },
      { type: 'ADVANCE', fd: 1, frames: 256 },
      { type: 'READI', fd: 1, frames: 512 },
      syncPtr(1, 3, 0n),
      { type: 'ADVANCE', fd: 1, frames: 256 }, // the device writes; nobody syncs
      { type: 'DROP', fd: 1 },
      { type: 'HW_FREE', fd: 1 },
      { type: 'HW_PARAMS', fd: 1, params: hw }, // the buffer comes back with the device's view ahead
      { type: 'CLOSE', fd: 1 },
    ],
  },
  {
    id: 'loopback',
    title: 'what playback writes reaches capture through both pairs of views, period by period',
    commands: [
      { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true },
      { type: 'OPEN', fd: 1, stream: 'CAPTURE', nonblock: true },
      { type: 'HW_PARAMS', fd: 0, params: hw },
      { type: 'HW_PARAMS', fd: 1, params: hw },
      sw(0, { start: 1024n }),
      { type: 'PREPARE', fd: 0 },
      { type: 'PREPARE', fd: 1 },
      { type: 'START', fd: 1 },
      { type: 'WRITEI', fd: 0, frames: 1024 },
      ...[0, 1, 2, 3].flatMap((): Command[] => [
        { type: 'ADVANCE', fd: 0, frames: 256 },
        { type: 'ADVANCE', fd: 1, frames: 256 },
        { type: 'READI', fd: 1, frames: 256 },
        { type: 'WRITEI', fd: 0, frames: 256 },
      ]),
      { type: 'SYNC_PTR', fd: 1, flags: 1, appl_ptr: 1024n, avail_min: 256n, compat32: true },
    ],
  },
];
