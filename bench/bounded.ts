// PCM(N): the PCM machine with pointer values bounded to N — the machine the exploration benchmark
// gives to both explorers.
//
// - Machine: the one-file PCM machine (createPcmMachine(1)), kernel 7.2, on a playback-only device
//   with the ring core's capabilities (DEFAULT_CAPS).
// - Events: the same 18 in every state, in this order: OPEN (non-blocking), CLOSE, HW_PARAMS
//   (RW_INTERLEAVED S16_LE stereo 48 kHz, 4 periods of PERIOD frames), HW_FREE, SW_PARAMS (start
//   when the buffer is full), PREPARE, START, DROP, DRAIN, PAUSE push and release, XRUN, SUSPEND,
//   RESUME, STATUS, HWSYNC, WRITEI of a period, ADVANCE by a period.
// - State identity: the machine's state value and its whole context, exactly — every pointer
//   (hw_ptr, appl_ptr, hw_ptr_base, hw_ptr_interrupt, the device position, avail_max) with its
//   value — except the constant input and the outcome of the previous event (conformance/pack.ts).
// - Bound: a state whose hw_ptr or appl_ptr exceeds N is a leaf: it is reached, but its
//   transitions are not part of the graph. So the states grow with N (about N / PERIOD pointer
//   positions), and both explorers see the same finite graph.
import type { Command } from '../spec/device.ts';
import type { PcmContext, PcmInput } from '../machines/pcm/context.ts';
import { DEFAULT_CAPS } from '../reference/ring-core/index.ts';

export const PERIOD = 64;
const BUFFER = BigInt(4 * PERIOD);

export const BOUNDED_INPUT: PcmInput & { files: 1 } = { caps: { PLAYBACK: DEFAULT_CAPS }, kernel: '7.2', files: 1 };

export const BOUNDED_EVENTS: readonly Command[] = [
  { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true },
  { type: 'CLOSE', fd: 0 },
  { type: 'HW_PARAMS', fd: 0, params: { access: 'RW_INTERLEAVED', format: 'S16_LE', channels: 2, rate: 48000, period_size: PERIOD, periods: 4 } },
  { type: 'HW_FREE', fd: 0 },
  { type: 'SW_PARAMS', fd: 0, params: { avail_min: BigInt(PERIOD), start_threshold: BUFFER, stop_threshold: BUFFER, silence_threshold: 0n, silence_size: 0n } },
  { type: 'PREPARE', fd: 0 },
  { type: 'START', fd: 0 },
  { type: 'DROP', fd: 0 },
  { type: 'DRAIN', fd: 0 },
  { type: 'PAUSE', fd: 0, push: true },
  { type: 'PAUSE', fd: 0, push: false },
  { type: 'XRUN', fd: 0 },
  { type: 'SUSPEND' },
  { type: 'RESUME', fd: 0 },
  { type: 'STATUS', fd: 0, ext: false },
  { type: 'HWSYNC', fd: 0 },
  { type: 'WRITEI', fd: 0, frames: PERIOD },
  { type: 'ADVANCE', fd: 0, frames: PERIOD },
];

/** The states PCM(n) expands. */
export const withinBound = (n: number) => {
  const b = BigInt(n);
  return (ctx: PcmContext): boolean => ctx.streams.every((s) => s.hwPtr <= b && s.applPtr <= b);
};
