// The events the path generator offers in each state: every command the machine distinguishes,
// with seqnos taken from the task table (each task, 0, and one naming nothing), input sizes in
// classes (a full buffer, one frame, too big, a partial frame, zero), and parameter sets valid or
// broken in each way the kernel or the driver checks. Fixed parameters keep the graph small.
import { STREAMING_IOCTLS, TASK_FLAG } from '../../spec/abi/compress.ts';
import { FORMATS } from '../../spec/abi/params.ts';
import type { AccelEvent, AccelParams, TaskArg } from '../../spec/accel-device.ts';
import type { AccelContext } from '../../machines/accel/index.ts';
import type { StreamState } from './model.ts';

/** Mono S16_LE at 48 kHz to FLOAT_LE at 96 kHz, 4 frames a task, 2 tasks. */
export const GRAPH_PARAMS: AccelParams = {
  fragment_size: 8,
  fragments: 2,
  codec: {
    id: 1,
    ch_in: 1,
    ch_out: 1,
    sample_rate: 48000,
    format: FORMATS.S16_LE.value,
    pcm_format: FORMATS.FLOAT_LE.value,
    out_sample_rate: 96000,
  },
};

const withCodec = (c: Partial<AccelParams['codec']>): AccelParams => ({ ...GRAPH_PARAMS, codec: { ...GRAPH_PARAMS.codec, ...c } });

/** SET_PARAMS variants: valid, then one broken premise each, in the kernel's order of checks. */
export const PARAM_VARIANTS: AccelParams[] = [
  GRAPH_PARAMS,
  { ...GRAPH_PARAMS, fragment_size: 0 },
  { ...GRAPH_PARAMS, fragments: 0 },
  { ...GRAPH_PARAMS, fragments: 65 },
  withCodec({ id: 0 }),
  withCodec({ id: 18 }),
  withCodec({ ch_in: 0 }),
  withCodec({ ch_out: 0 }),
  withCodec({ pcm_format: FORMATS.S16_BE.value }),
  withCodec({ out_sample_rate: 144000 }),
  { ...GRAPH_PARAMS, fragment_size: 7 },
];

const arg = (a: Partial<TaskArg>): TaskArg => ({ seqno: 0n, origin_seqno: 0n, input_size: 0n, flags: 0, ...a });

/** Input sizes for START, by class; `fragment` is fragment_size, a frame 2 bytes. */
const sizes = (fragment: number) => ({
  full: BigInt(fragment),
  frame: 2n,
  tooBig: BigInt(fragment + 2),
  partial: 3n,
  zero: 0n,
});

export function graphEvents(state: StreamState, context: AccelContext): AccelEvent[] {
  const common: AccelEvent[] = [
    { type: 'OPEN', mode: 'O_RDWR' },
    { type: 'OPEN', mode: 'O_WRONLY' },
    { type: 'CLOSE' },
    { type: 'POLL' },
    { type: 'TASK_FINISHED' },
    { type: 'IOCTL_VERSION' },
    { type: 'TASK_CREATE', task: arg({}) },
  ];
  if (state === 'CLOSED') return common;
  const open: AccelEvent[] = [
    ...common,
    { type: 'OPEN', mode: 'O_RDONLY' },
    { type: 'GET_CAPS' },
    { type: 'GET_PARAMS' },
    { type: 'SET_METADATA', key: 1 },
    { type: 'GET_METADATA', key: 1 },
    { type: 'READ', bytes: 8 },
    { type: 'WRITE', bytes: 8 },
    { type: 'MMAP', bytes: 4096 },
    { type: 'POLL', events: 1 },
    ...STREAMING_IOCTLS.map((type) => ({ type }) as AccelEvent),
  ];
  if (state === 'OPEN') {
    return [
      ...open,
      ...PARAM_VARIANTS.map((params) => ({ type: 'SET_PARAMS', params }) as AccelEvent),
      { type: 'TASK_START', task: arg({ seqno: 1n, input_size: 2n }) },
      { type: 'TASK_STOP', seqno: 0n },
      { type: 'TASK_FREE', seqno: 0n },
      { type: 'TASK_STATUS', seqno: 1n },
    ];
  }
  const sz = sizes(context.params?.fragment_size ?? GRAPH_PARAMS.fragment_size);
  const unknown = context.taskSeqno + 1n;
  const ev: AccelEvent[] = [
    ...open,
    { type: 'SET_PARAMS', params: GRAPH_PARAMS },
    { type: 'TASK_CREATE', task: arg({ origin_seqno: 1n }) },
    { type: 'TASK_CREATE', task: arg({ input_size: 2n }) },
    { type: 'TASK_START', task: arg({ seqno: 0n, input_size: sz.full }) },
    { type: 'TASK_START', task: arg({ seqno: unknown, input_size: sz.full }) },
    { type: 'TASK_START', task: arg({ origin_seqno: unknown, input_size: sz.full }) },
    { type: 'TASK_STOP', seqno: 0n },
    { type: 'TASK_STOP', seqno: unknown },
    { type: 'TASK_FREE', seqno: 0n },
    { type: 'TASK_FREE', seqno: unknown },
    { type: 'TASK_STATUS', seqno: 0n },
    { type: 'TASK_STATUS', seqno: unknown, output_flags: 0x5a },
  ];
  for (const t of context.tasks) {
    const s = t.seqno;
    ev.push(
      { type: 'TASK_START', task: arg({ seqno: s, input_size: sz.full }) },
      { type: 'TASK_START', task: arg({ seqno: s, input_size: sz.full, flags: TASK_FLAG.NEW_STREAM }) },
      { type: 'TASK_START', task: arg({ seqno: s, input_size: sz.frame }) },
      { type: 'TASK_START', task: arg({ seqno: s, input_size: sz.tooBig }) },
      { type: 'TASK_START', task: arg({ seqno: s, input_size: sz.partial }) },
      { type: 'TASK_START', task: arg({ seqno: s, input_size: sz.zero }) },
      { type: 'TASK_START', task: arg({ seqno: 99n, origin_seqno: s, input_size: sz.full }) },
      { type: 'TASK_START', task: arg({ origin_seqno: s, input_size: sz.frame, flags: TASK_FLAG.NEW_STREAM }) },
      { type: 'TASK_START', task: arg({ origin_seqno: s, input_size: sz.tooBig }) },
      { type: 'TASK_START', task: arg({ origin_seqno: s, input_size: sz.partial }) },
      { type: 'TASK_STOP', seqno: s },
      { type: 'TASK_FREE', seqno: s },
      { type: 'TASK_STATUS', seqno: s, output_flags: 0x5a },
    );
  }
  return ev;
}
