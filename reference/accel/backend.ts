// The reference accelerator as an AccelBackend: each session is a fresh card.
import type { AccelBackend, AccelDeviceInfo } from '../../spec/accel-device.ts';
import { ReferenceAccelDriver } from './driver.ts';
import { InlineEngine, WorkerEngine, type Engine } from './engine.ts';
import type { AccelFault } from './faults.ts';
import { REFERENCE_ACCEPTS, REFERENCE_CAPS } from './info.ts';
import { ReferenceAccelSession } from './session.ts';

export interface ReferenceAccelOptions {
  /** Tasks run by themselves, observable by POLL (default: only on TASK_FINISHED, a virtual clock). */
  realTime?: boolean;
  /** Convert in a worker thread (one per backend, shared by its sessions). */
  worker?: boolean;
  /** task_seqno after OPEN (the kernel's is 0). */
  seqnoStart?: bigint;
  /** A deliberate fault, for the suite's self-check. */
  fault?: AccelFault | null;
  name?: string;
}

export function referenceAccelBackend(options: ReferenceAccelOptions = {}): AccelBackend {
  const realTime = options.realTime ?? false;
  const fault = options.fault ?? null;
  const name = options.name ?? (fault ? `reference-accel!${fault}` : 'reference-accel');
  let worker: WorkerEngine | null = null;
  const engine = (): Engine => {
    if (!options.worker) return new InlineEngine();
    worker ??= new WorkerEngine();
    return worker;
  };
  const info: AccelDeviceInfo = {
    backend: name,
    device: 'reference-src',
    kernel: null,
    follows: '7.2',
    caps: REFERENCE_CAPS,
    accepts: REFERENCE_ACCEPTS,
    virtualClock: !realTime,
  };
  return {
    name,
    unsupported: null,
    open() {
      const driver = new ReferenceAccelDriver({ realTime, engine: engine(), fault });
      return new ReferenceAccelSession(info, driver, { fault, realTime, seqnoStart: options.seqnoStart ?? 0n });
    },
    async shutdown() {
      await worker?.close();
      worker = null;
    },
  };
}
