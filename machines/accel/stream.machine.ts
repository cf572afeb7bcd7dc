// The accel stream: CLOSED (no file), OPEN, SETUP (spec/accel/stream.md), with the task table in
// context (./context.ts) and each task's life in ./task.machine.ts. Every edge names its rules in
// `meta.rules`; a refusal is a self-transition that records `{ errno, rule }` and carries `errno`
// in its meta. Guards are tried in the kernel's order of checks. The accelerator finishing a task
// is the event TASK_FINISHED. Closed machine: no invoke, no after.
import { setup } from 'xstate';
import { STREAMING_IOCTLS, type StreamingIoctl } from '../../spec/abi/compress.ts';
import type { Errno } from '../../spec/abi/errno.ts';
import type { AccelEvent } from './events.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import { actions } from './actions.ts';
import { initialContext, type AccelContext, type AccelMachineInput } from './context.ts';
import { guards, type GuardName } from './guards.ts';
import type { EdgeMeta, StateMeta } from './meta.ts';

/** A refusal edge: guarded (or not), records the errno and rule, carries both in meta. */
function refusal(guard: GuardName | null, errno: Errno, rule: RuleId) {
  const edge = {
    actions: { type: 'refuse' as const, params: { errno, rule } },
    meta: { rules: [rule], errno } satisfies EdgeMeta,
  };
  return guard === null ? edge : { guard, ...edge };
}

const streamingRefused = Object.fromEntries(
  STREAMING_IOCTLS.map((t) => [t, refusal(null, 'ENOTTY', 'accel.streaming.refused')]),
) as Record<StreamingIoctl, ReturnType<typeof refusal>>;

/** The edges OPEN and SETUP share: the ioctls handled before the direction, and the refusals. */
const common = {
  OPEN: [
    refusal('isNotReadWrite', 'EINVAL', 'accel.open.direction'),
    refusal(null, 'EBUSY', 'accel.device.one-stream'),
  ],
  CLOSE: { target: 'CLOSED', actions: 'closeStream', meta: { rules: ['accel.close.ok'] } },
  IOCTL_VERSION: { actions: 'reportVersion', meta: { rules: ['accel.version.ok'] } },
  GET_CAPS: { actions: 'reportCaps', meta: { rules: ['accel.get-caps.ok', 'accel.device.caps'] } },
  GET_PARAMS: refusal(null, 'EBADFD', 'accel.get-params.no-driver-op'),
  SET_METADATA: refusal(null, 'ENXIO', 'accel.metadata.no-driver-op'),
  GET_METADATA: refusal(null, 'ENXIO', 'accel.metadata.no-driver-op'),
  READ: refusal(null, 'EBADFD', 'accel.read-write.refused'),
  WRITE: refusal(null, 'EBADFD', 'accel.read-write.refused'),
  MMAP: refusal(null, 'ENXIO', 'accel.mmap.refused'),
  ...streamingRefused,
} as const;

export const accelMachine = setup({
  types: {
    context: {} as AccelContext,
    events: {} as AccelEvent,
    input: {} as AccelMachineInput,
    meta: {} as StateMeta,
    transitionMeta: {} as EdgeMeta,
  },
  guards,
  actions,
}).createMachine({
  id: 'accel-stream',
  initial: 'CLOSED',
  context: ({ input }) => initialContext(input),
  states: {
    CLOSED: {
      meta: { description: 'no stream file open in the session' },
      on: {
        OPEN: [
          refusal('isNotReadWrite', 'EINVAL', 'accel.open.direction'),
          { target: 'OPEN', actions: 'openStream', meta: { rules: ['accel.open.ok'] } },
        ],
        POLL: { actions: 'reportPollClosed', meta: { rules: ['accel.file.closed'] } },
        TASK_FINISHED: { actions: 'finishNothing', meta: { rules: ['accel.file.closed'] } },
        '*': refusal(null, 'EBADF', 'accel.file.closed'),
      },
    },
    OPEN: {
      meta: { description: 'SNDRV_PCM_STATE_OPEN: opened O_RDWR, no parameters yet' },
      on: {
        ...common,
        SET_PARAMS: [
          refusal('isFragmentSizeZero', 'EINVAL', 'accel.set-params.fragment-size'),
          refusal('isFragmentsOutOfRange', 'EINVAL', 'accel.set-params.fragments'),
          refusal('isCodecInvalid', 'EINVAL', 'accel.set-params.codec'),
          refusal('driverRefusesParams', 'EINVAL', 'accel.device.set-params'),
          {
            target: 'SETUP',
            actions: 'setParams',
            meta: { rules: ['accel.set-params.ok', 'accel.device.set-params'] },
          },
        ],
        TASK_CREATE: refusal(null, 'EPERM', 'accel.task.not-setup'),
        TASK_START: refusal(null, 'EPERM', 'accel.task.not-setup'),
        TASK_STOP: refusal(null, 'EPERM', 'accel.task.not-setup'),
        TASK_FREE: refusal(null, 'EPERM', 'accel.task.not-setup'),
        TASK_STATUS: refusal(null, 'EPERM', 'accel.task.not-setup'),
        POLL: { actions: 'reportPoll', meta: { rules: ['accel.poll.open'] } },
        TASK_FINISHED: { actions: 'finishNothing', meta: { rules: ['accel.device.run'] } },
      },
    },
    SETUP: {
      meta: { description: 'SNDRV_PCM_STATE_SETUP: parameters set; every task ioctl works here' },
      on: {
        ...common,
        SET_PARAMS: refusal(null, 'EPERM', 'accel.set-params.bad-state'),
        TASK_CREATE: [
          refusal('isTaskTableFull', 'EBUSY', 'accel.task-create.busy'),
          refusal('isCreateArgInvalid', 'EINVAL', 'accel.task-create.invalid'),
          {
            actions: 'createTask',
            meta: { rules: ['accel.task-create.ok', 'accel.seqno.next', 'accel.device.buffers'] },
          },
        ],
        TASK_START: [
          refusal('isOriginUnknown', 'EINVAL', 'accel.task-start.unknown'),
          refusal('isOriginFinished', 'EBUSY', 'accel.task-start.finished'),
          refusal('isOriginInputTooBig', 'EINVAL', 'accel.task-start.input-size'),
          {
            guard: 'driverRefusesOriginInput',
            actions: 'restartFailed',
            meta: {
              rules: ['accel.task-start.driver-error', 'accel.device.task-start', 'accel.seqno.next'],
              errno: 'EINVAL',
            },
          },
          {
            guard: 'isOriginActive',
            actions: 'restartTask',
            meta: { rules: ['accel.task-start.restart-active', 'accel.seqno.next', 'accel.device.task-start'] },
          },
          {
            guard: 'hasOrigin',
            actions: 'restartTask',
            meta: { rules: ['accel.task-start.restart', 'accel.seqno.next', 'accel.device.task-start'] },
          },
          refusal('isNamedTaskNotIdle', 'EBUSY', 'accel.task-start.not-idle'),
          refusal('namesNoTask', 'EINVAL', 'accel.task-start.unknown'),
          refusal('isInputTooBig', 'EINVAL', 'accel.task-start.input-size'),
          {
            guard: 'driverRefusesInput',
            actions: 'startFailed',
            meta: { rules: ['accel.task-start.driver-error', 'accel.device.task-start'], errno: 'EINVAL' },
          },
          { actions: 'startTask', meta: { rules: ['accel.task-start.ok', 'accel.device.task-start'] } },
        ],
        TASK_STOP: [
          { guard: 'isSeqnoZero', actions: 'stopAll', meta: { rules: ['accel.task-stop.all'] } },
          refusal('namesNoTask', 'EINVAL', 'accel.task-stop.unknown'),
          { guard: 'isNamedTaskActive', actions: 'stopOne', meta: { rules: ['accel.task-stop.ok'] } },
          { actions: 'stopOne', meta: { rules: ['accel.task-stop.not-active'] } },
        ],
        TASK_FREE: [
          { guard: 'isSeqnoZero', actions: 'freeAll', meta: { rules: ['accel.task-free.all'] } },
          refusal('namesNoTask', 'EINVAL', 'accel.task-free.unknown'),
          { actions: 'freeOne', meta: { rules: ['accel.task-free.ok'] } },
        ],
        TASK_STATUS: [
          refusal('namesNoTask', 'EINVAL', 'accel.task-status.unknown'),
          { actions: 'reportStatus', meta: { rules: ['accel.task-status.ok'] } },
        ],
        POLL: { actions: 'reportPoll', meta: { rules: ['accel.poll.setup'] } },
        TASK_FINISHED: [
          { guard: 'isRunQueueEmpty', actions: 'finishNothing', meta: { rules: ['accel.device.run'] } },
          {
            actions: 'finishHead',
            meta: {
              rules: ['accel.device.run', 'accel.task-finished.ok', 'accel.device.transform', 'accel.device.new-stream'],
            },
          },
        ],
      },
    },
  },
});

export type AccelMachine = typeof accelMachine;
