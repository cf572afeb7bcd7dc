// Shared builders for the accel tests: events, parameters, and a model that records which rules
// each step exercised.
import type { AccelEvent, AccelParams, TaskArg } from '../../spec/accel-device.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import { AccelModel, type ModelStep } from '../../conformance/accel/model.ts';
import type { AccelMachineInput } from '../../machines/accel/index.ts';
import { GRAPH_PARAMS } from '../../conformance/accel/vocabulary.ts';
import { REFERENCE_ACCEPTS, REFERENCE_CAPS } from '../../reference/accel/index.ts';

export const MODEL_INPUT = { caps: REFERENCE_CAPS, accepts: REFERENCE_ACCEPTS };

/** Mono S16_LE 48 kHz → FLOAT_LE 96 kHz, 8-byte fragments (4 frames), 2 tasks. */
export const PARAMS: AccelParams = GRAPH_PARAMS;

export const arg = (a: Partial<TaskArg> = {}): TaskArg => ({ seqno: 0n, origin_seqno: 0n, input_size: 0n, flags: 0, ...a });
export const OPEN: AccelEvent = { type: 'OPEN', mode: 'O_RDWR' };
export const CLOSE: AccelEvent = { type: 'CLOSE' };
export const setParams = (params: AccelParams = PARAMS): AccelEvent => ({ type: 'SET_PARAMS', params });
export const SETUP: AccelEvent[] = [OPEN, setParams()];
export const CREATE: AccelEvent = { type: 'TASK_CREATE', task: arg() };
export const start = (seqno: bigint, input_size = 8n, flags = 0): AccelEvent => ({ type: 'TASK_START', task: arg({ seqno, input_size, flags }) });
export const restart = (origin: bigint, input_size = 8n, flags = 0): AccelEvent => ({
  type: 'TASK_START',
  task: arg({ seqno: 99n, origin_seqno: origin, input_size, flags }),
});
export const stop = (seqno: bigint): AccelEvent => ({ type: 'TASK_STOP', seqno });
export const free = (seqno: bigint): AccelEvent => ({ type: 'TASK_FREE', seqno });
export const status = (seqno: bigint, output_flags?: number): AccelEvent =>
  output_flags === undefined ? { type: 'TASK_STATUS', seqno } : { type: 'TASK_STATUS', seqno, output_flags };
export const FINISH: AccelEvent = { type: 'TASK_FINISHED' };
export const POLL_EV: AccelEvent = { type: 'POLL' };

/** A model that remembers every rule its steps exercised. */
export class RecordingModel extends AccelModel {
  readonly exercised = new Set<RuleId>();
  constructor(input: AccelMachineInput = MODEL_INPUT) {
    super(input);
  }
  override step(event: AccelEvent): ModelStep {
    const s = super.step(event);
    for (const r of s.rules) this.exercised.add(r);
    return s;
  }
  /** Runs all events; returns the last step. */
  run(events: AccelEvent[]): ModelStep {
    let last: ModelStep | undefined;
    for (const e of events) last = this.step(e);
    if (!last) throw new Error('no events');
    return last;
  }
}
