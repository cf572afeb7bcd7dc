// Deliberate faults for the conformance suite's self-check: each turns the reference into a
// broken accelerator (a mutant) that the suite must catch. Never set outside tests.
export const ACCEL_FAULTS = {
  /** Accepts origin_seqno of a FINISHED task, as the design document describes. */
  'restart-finished': 'the core restarts FINISHED tasks (the design document, not the code)',
  /** Gives a fresh START a new seqno, as the design document describes. */
  'fresh-start-new-seqno': 'a START with origin_seqno 0 draws a new seqno (the design document, not the code)',
  /** Allows one task more than `fragments`. */
  'fragments-plus-one': 'TASK_CREATE allows fragments + 1 tasks',
  /** Treats seqno 0 of TASK_STOP as an unknown seqno. */
  'stop-all-refused': 'TASK_STOP with seqno 0 fails with EINVAL instead of stopping every task',
  /** EPOLLIN when any task is FINISHED, not only the head of the list. */
  'poll-any-finished': 'poll reports EPOLLIN when any task is FINISHED',
  /** The accelerator completes the most recently started task first. */
  lifo: 'the accelerator completes the newest queued task first',
  /** FLOAT_LE output divides by 32767. */
  'float-scale': 'FLOAT_LE output is scaled by 1/32767',
  /** The NEW_STREAM flag does not reset the history. */
  'new-stream-ignored': 'SND_COMPRESS_TFLG_NEW_STREAM does not restart the resampler history',
} as const;

export type AccelFault = keyof typeof ACCEL_FAULTS;
