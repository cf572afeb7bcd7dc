// Named scenarios: short sequences for behaviours whose point is history or timing, written out so
// a reader sees the kernel's answer in context. Each runs model against backend like any path;
// what the model predicts at each step is the spec.
import type { Command, HwCaps } from '../spec/device.ts';
import type { StreamDir } from '../spec/abi/states.ts';
import type { RuleId } from '../spec/rules.generated.ts';

export interface Scenario {
  id: string;
  /** A sentence saying what passing means. */
  title: string;
  rules: RuleId[];
  /** Capabilities the scenario needs; without them it is UNSUPPORTED with this reason. */
  needs?: (caps: Partial<Record<StreamDir, HwCaps>>) => string | null;
  commands: Command[];
}

const hw = { access: 'RW_INTERLEAVED', format: 'S16_LE', channels: 2, rate: 48000, period_size: 256, periods: 4 } as const;
const sw = (stop: bigint, start = 1n) =>
  ({ type: 'SW_PARAMS', fd: 0, params: { avail_min: 256n, start_threshold: start, stop_threshold: stop, silence_threshold: 0n, silence_size: 0n } }) as const;
const open = (nonblock = true): Command => ({ type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock });
const setup: Command[] = [open(), { type: 'HW_PARAMS', fd: 0, params: hw }];
const needInfo = (flag: string) => (caps: Partial<Record<StreamDir, HwCaps>>) =>
  caps.PLAYBACK?.info.includes(flag as never) ? null : `the device's playback has no ${flag}`;

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'scenario/hw-free-keeps-info',
    title: 'after HW_FREE, PAUSE answers EBADFD because runtime->info still has INFO_PAUSE, where a fresh file answered ENOSYS',
    rules: ['pcm.hw-free.leaves', 'pcm.pause.no-support', 'pcm.pause.bad-state'],
    needs: needInfo('PAUSE'),
    commands: [open(), { type: 'PAUSE', fd: 0, push: true }, { type: 'HW_PARAMS', fd: 0, params: hw }, { type: 'HW_FREE', fd: 0 }, { type: 'PAUSE', fd: 0, push: true }],
  },
  {
    id: 'scenario/hw-free-keeps-boundary',
    title: 'in OPEN, SYNC_PTR refuses any appl_ptr on a fresh file (boundary 0) but takes one below the boundary HW_FREE left behind',
    rules: ['pcm.hw-free.leaves', 'pcm.sync-ptr.appl-invalid', 'pcm.sync-ptr.ok'],
    commands: [
      open(),
      { type: 'SYNC_PTR', fd: 0, flags: 4, appl_ptr: 5n, avail_min: 0n, compat32: false },
      { type: 'HW_PARAMS', fd: 0, params: hw },
      { type: 'HW_FREE', fd: 0 },
      { type: 'SYNC_PTR', fd: 0, flags: 4, appl_ptr: 5n, avail_min: 0n, compat32: false },
      { type: 'PEEK', fd: 0 },
    ],
  },
  {
    id: 'scenario/status-reports-state-before-update',
    title: 'STATUS that finds an underrun reports RUNNING with avail past the stop threshold, and the stream is in XRUN afterwards',
    rules: ['pcm.status.ok', 'ring.hw-ptr.lazy', 'ring.xrun.detect'],
    commands: [
      ...setup, sw(1124n), { type: 'PREPARE', fd: 0 }, { type: 'WRITEI', fd: 0, frames: 256 },
      { type: 'ADVANCE', fd: 0, frames: 356 }, { type: 'PEEK', fd: 0 }, { type: 'STATUS', fd: 0, ext: false }, { type: 'PEEK', fd: 0 },
    ],
  },
  {
    id: 'scenario/drain-ends-on-a-period-boundary',
    title: 'a drain of 300 frames ends at the first period interrupt past them: the device runs 512 frames and the stream is in SETUP',
    rules: ['pcm.drain.playback', 'pcm.drain.nonblock', 'ring.drain.complete'],
    commands: [...setup, { type: 'PREPARE', fd: 0 }, { type: 'WRITEI', fd: 0, frames: 300 }, { type: 'DRAIN', fd: 0 }, { type: 'ADVANCE', fd: 0, frames: 1000 }, { type: 'STATUS', fd: 0, ext: false }],
  },
  {
    id: 'scenario/read-on-playback',
    title: 'read(2) on a playback file is refused by the VFS with EINVAL, while READI on it writes into the ring',
    rules: ['pcm.xfer.direction', 'pcm.xfer.ok'],
    commands: [...setup, { type: 'PREPARE', fd: 0 }, { type: 'READ', fd: 0, bytes: 1024 }, { type: 'READI', fd: 0, frames: 256 }, { type: 'PEEK', fd: 0 }],
  },
  {
    id: 'scenario/reset-lines-up-appl',
    title: 'RESET of a running stream leaves nothing queued: appl_ptr equals hw_ptr, taken modulo the buffer',
    rules: ['pcm.reset.ok', 'ring.update.hw-ptr'],
    commands: [...setup, sw(1024n), { type: 'PREPARE', fd: 0 }, { type: 'WRITEI', fd: 0, frames: 1024 }, { type: 'ADVANCE', fd: 0, frames: 600 }, { type: 'RESET', fd: 0 }, { type: 'STATUS', fd: 0, ext: false }],
  },
  {
    id: 'scenario/resume-returns-to-paused',
    title: 'a stream suspended while PAUSED comes back PAUSED from RESUME, and suspended_state stays PAUSED after it',
    rules: ['device.suspend.ok', 'pcm.resume.ok', 'pcm.state.suspended-state'],
    needs: (c) => needInfo('PAUSE')(c) ?? needInfo('RESUME')(c),
    commands: [
      ...setup, { type: 'PREPARE', fd: 0 }, { type: 'WRITEI', fd: 0, frames: 512 }, { type: 'PAUSE', fd: 0, push: true },
      { type: 'SUSPEND' }, { type: 'RESUME', fd: 0 }, { type: 'STATUS', fd: 0, ext: false },
    ],
  },
  {
    id: 'scenario/prepare-recovers-suspend',
    title: 'PREPARE brings a suspended stream back to PREPARED with both pointers at 0, whether or not the driver can resume',
    rules: ['pcm.prepare.recover', 'device.suspend.ok'],
    commands: [...setup, { type: 'PREPARE', fd: 0 }, { type: 'WRITEI', fd: 0, frames: 512 }, { type: 'ADVANCE', fd: 0, frames: 256 }, { type: 'SUSPEND' }, { type: 'PREPARE', fd: 0 }, { type: 'STATUS', fd: 0, ext: false }],
  },
];
