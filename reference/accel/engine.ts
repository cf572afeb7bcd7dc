// Where the reference accelerator's conversions run: inline on the calling thread, or in a worker
// thread that shares the task buffers (SharedArrayBuffer) with the main thread.
import { Worker } from 'node:worker_threads';
import { convert, type ConvertResult } from './transform.ts';
import type { WorkerDone, WorkerJob } from './worker.ts';

export type ConvertJob = Omit<WorkerJob, 'id'>;

export interface Engine {
  readonly kind: 'inline' | 'worker';
  run(job: ConvertJob): ConvertResult | Promise<ConvertResult>;
  close(): Promise<void>;
}

export class InlineEngine implements Engine {
  readonly kind = 'inline';
  run(job: ConvertJob): ConvertResult {
    return convert(job.spec, new Uint8Array(job.input), job.inputSize, new Uint8Array(job.output), job.history, job.floatScale);
  }
  async close(): Promise<void> {}
}

/** One worker thread, one job at a time per caller; keeps the event loop alive only while busy. */
export class WorkerEngine implements Engine {
  readonly kind = 'worker';
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: ConvertResult) => void; reject: (e: Error) => void }>();
  private nextId = 1;

  constructor() {
    this.worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
      workerData: { entry: new URL('./worker.ts', import.meta.url).href },
    });
    this.worker.unref();
    this.worker.on('message', (m: WorkerDone) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      p.resolve({ outputSize: m.outputSize, history: m.history });
    });
    this.worker.on('error', (e) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    });
  }

  run(job: ConvertJob): Promise<ConvertResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ ...job, id } satisfies WorkerJob);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
