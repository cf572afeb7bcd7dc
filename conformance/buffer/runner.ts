// Runs one command sequence on the PCM machine, the buffer machine and a backend side by side.
// Every step must agree three ways on the outcome (and on the status/control pages); where the
// backend shows its callbacks and memory (inspect.ts), the buffer machine's prediction of both
// must hold too. Stops at the first disagreement.
import type { StreamDir } from '../../spec/abi/states.ts';
import type { Outcome, PcmDevice } from '../../spec/device.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import type { BufferEvent } from '../../machines/buffer/index.ts';
import { decide } from '../../machines/pcm/decide.ts';
import { canonical, stringify } from '../codec.ts';
import { diffOutcome, diffPeek } from '../compare.ts';
import { Model } from '../model.ts';
import { recordStep, type RunResult, type StepRecord } from '../session.ts';
import { inspectable } from './inspect.ts';
import { BufferModel } from './model.ts';

export interface BufferRunResult extends RunResult {
  /** Buffer-machine edges taken, stable and transient. */
  bufferEdges: string[];
  bufferStates: string[];
  bufferTransitions: string[];
  /** Whether the calls and the memory were compared (the backend shows them). */
  inspected: boolean;
}

const exec = async (d: PcmDevice, c: BufferEvent | { type: 'PEEK'; fd: number }): Promise<Outcome> => {
  const r = d.exec(c);
  return r instanceof Promise ? await r : r;
};

export async function runBufferSequence(device: PcmDevice, dir: StreamDir, commands: readonly BufferEvent[]): Promise<BufferRunResult> {
  const info = device.info;
  const pcm = new Model({ caps: info.streams, kernel: info.follows, files: 1, ...(info.memory ? { memory: info.memory } : {}) });
  const buf = new BufferModel({ dir, caps: info.streams, kernel: info.follows, ...(info.memory ? { memory: info.memory } : {}) });
  const inspected = inspectable(device);
  if (inspected) device.takeCalls(); // the probe's allocations came before the first command
  const result: BufferRunResult = {
    status: 'PASS', steps: [], rules: new Set(), passedRules: new Set(), failedRules: new Set(), edges: [], transitions: [], states: [],
    bufferEdges: [], bufferStates: [], bufferTransitions: [], inspected,
  };
  for (let k = 0; k < commands.length; k++) {
    const cmd = commands[k]!;
    let m, b;
    try {
      m = pcm.send(cmd);
      b = buf.step(cmd);
    } catch (e) {
      return { ...result, status: 'ERROR', message: `model: ${(e as Error).message}` };
    }
    let got: Outcome;
    try {
      got = await exec(device, cmd);
    } catch (e) {
      return { ...result, status: 'ERROR', message: `backend threw on ${cmd.type}: ${(e as Error).message}` };
    }
    const rec: StepRecord = { step: k, command: stringify(cmd), model: stringify(m.outcome), backend: stringify(got), transitions: [...m.transitions, `${b.from} --${cmd.type}--> ${b.to}`] };
    result.steps.push(rec);
    // The probe's rules are checked by the first step's memory comparison (and every later one).
    const rules = [...new Set<RuleId>([...m.rules, ...b.rules, ...(k === 0 ? buf.probe.rules : [])])];
    if (!got.ok && got.unsupported) {
      for (const r of rules) result.failedRules.add(r);
      return { ...result, status: 'UNSUPPORTED', message: `${cmd.type}: ${got.unsupported}` };
    }
    let divergence = diffOutcome(m.outcome, got);
    if (!divergence) {
      const d = diffOutcome(b.outcome, got);
      if (d) divergence = `the buffer machine says otherwise: ${d}`;
    }
    if (!divergence) {
      const bp = await exec(device, { type: 'PEEK', fd: 0 });
      const mp = decide(pcm.context, { type: 'PEEK', fd: 0 }).next.last;
      divergence = diffPeek(0, mp.ok ? mp.peek : undefined, bp.ok ? bp.peek : undefined);
    }
    if (!divergence && inspected) {
      const calls = device.takeCalls();
      if (canonical(calls) !== canonical(b.calls)) divergence = `calls: model ${b.calls.join(' → ') || '(none)'}, backend ${calls.join(' → ') || '(none)'}`;
      const mem = device.memory();
      const sub = mem.subs[dir];
      const want = b.context.mem;
      const ws = want.subs[dir];
      if (!divergence && (mem.total !== want.total || !sub || sub.prealloc_bytes !== ws.preBytes || sub.buffer_bytes_max !== ws.bufferBytesMax || sub.dma_max !== ws.dmaMax)) {
        divergence = `memory: model total ${want.total}, prealloc ${ws.preBytes}, buffer_bytes_max ${ws.bufferBytesMax}, dma_max ${ws.dmaMax}; backend ${stringify(mem)}`;
      }
    }
    recordStep(result, rules, m, divergence);
    result.bufferEdges.push(...(k === 0 ? buf.probe.edges : []), ...b.edges);
    result.bufferStates.push(b.to);
    result.bufferTransitions.push(`${b.from} --${cmd.type}--> ${b.to}`);
    if (divergence) {
      rec.divergence = divergence;
      return { ...result, status: 'FAIL', message: `step ${k} ${cmd.type}: ${divergence}` };
    }
  }
  return result;
}
