// The reference accelerator's worker thread: converts one task at a time on the shared buffers
// (SharedArrayBuffer, the stand-in for dma-buf pages) and reports the output size and history.
import { parentPort } from 'node:worker_threads';
import { convert, type ConvertSpec } from './transform.ts';

export interface WorkerJob {
  id: number;
  spec: ConvertSpec;
  input: SharedArrayBuffer;
  inputSize: number;
  output: SharedArrayBuffer;
  history: number[] | null;
  floatScale: number;
}

export interface WorkerDone {
  id: number;
  outputSize: number;
  history: number[] | null;
}

parentPort?.on('message', (job: WorkerJob) => {
  const r = convert(job.spec, new Uint8Array(job.input), job.inputSize, new Uint8Array(job.output), job.history, job.floatScale);
  const done: WorkerDone = { id: job.id, outputSize: r.outputSize, history: r.history };
  parentPort!.postMessage(done);
});
