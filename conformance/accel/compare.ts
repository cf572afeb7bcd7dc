// Compares a backend's outcome with the model's, field by field for the values each command
// returns. Returns null when they agree, else a sentence saying how they differ.
import { isDeepStrictEqual } from 'node:util';
import type { AccelEvent, AccelOutcome, TaskValue } from '../../spec/accel-device.ts';
import { show } from './format.ts';

const sameTask = (a: TaskValue, b: TaskValue) =>
  a.seqno === b.seqno && a.origin_seqno === b.origin_seqno && a.input_size === b.input_size && a.flags === b.flags;

const isFd = (fd: number) => Number.isInteger(fd) && fd >= 0;

export function compareOutcome(event: AccelEvent, model: AccelOutcome, got: AccelOutcome): string | null {
  const differ = (what: string) => `${event.type}: ${what}: model ${show(model)}, backend ${show(got)}`;
  if (model.ok !== got.ok) return differ('success differs');
  if (!model.ok || !got.ok) {
    if (model.ok || got.ok) return differ('success differs');
    if (model.errno !== got.errno) return differ('errno differs');
    if (model.rule && got.rule && model.rule !== got.rule) return differ('rule differs');
    return null;
  }
  switch (event.type) {
    case 'IOCTL_VERSION':
      return model.version === got.version ? null : differ('version differs');
    case 'GET_CAPS':
      return isDeepStrictEqual(model.caps, got.caps) ? null : differ('caps differ');
    case 'TASK_CREATE': {
      if (!model.task || !got.task || !sameTask(model.task, got.task)) return differ('task differs');
      const { input_fd, output_fd } = got.task;
      if (!isFd(input_fd) || !isFd(output_fd) || input_fd === output_fd) return differ('dma-buf descriptors are not two open descriptors');
      return null;
    }
    case 'TASK_START':
      return model.task && got.task && sameTask(model.task, got.task) ? null : differ('task differs');
    case 'TASK_STATUS':
      return isDeepStrictEqual(model.status, got.status) ? null : differ('status differs');
    case 'POLL':
      return model.revents === got.revents ? null : differ('revents differ');
    case 'TASK_FINISHED':
      return model.finished === got.finished ? null : differ('finished task differs');
    default:
      return null;
  }
}
