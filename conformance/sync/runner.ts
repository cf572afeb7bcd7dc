// Runs a command sequence on the PCM machine and a backend that shows its buffers' views: besides
// the outcomes and the status pages, every step's sync calls must be the ones the PCM machine
// predicts (silence filling aside: the machine does not follow the filler), and the record of the
// views replayed on the sync machine must hold (tracker.ts).
import type { StreamDir } from '../../spec/abi/states.ts';
import type { Command, Outcome, PcmDevice } from '../../spec/device.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import { decide } from '../../machines/pcm/decide.ts';
import { stringify } from '../codec.ts';
import { diffOutcome, diffPeek } from '../compare.ts';
import { Model, modelInput } from '../model.ts';
import { recordStep, type RunResult, type StepRecord } from '../session.ts';
import { syncInspectable } from './inspect.ts';
import { SyncTracker, viewsAgree } from './tracker.ts';

export interface SyncRunResult extends RunResult {
  syncEdges: string[];
  syncStates: string[];
  syncTransitions: string[];
}

const exec = async (d: PcmDevice, c: Command): Promise<Outcome> => {
  const r = d.exec(c);
  return r instanceof Promise ? await r : r;
};

const show = (calls: readonly { mode: string; site: string }[]) => calls.map((c) => `${c.mode}@${c.site}`).join(', ') || 'none';

export async function runSyncSequence(device: PcmDevice, commands: readonly Command[], files: 1 | 2): Promise<SyncRunResult> {
  const info = device.info;
  const model = new Model(modelInput(info, files));
  const tracker = new SyncTracker();
  const result: SyncRunResult = {
    status: 'PASS', steps: [], rules: new Set(), passedRules: new Set(), failedRules: new Set(), edges: [], transitions: [], states: [],
    syncEdges: [], syncStates: [], syncTransitions: [],
  };
  if (!syncInspectable(device)) return { ...result, status: 'UNSUPPORTED', message: `${info.backend} does not show its buffers' views` };
  const dirs = (['PLAYBACK', 'CAPTURE'] as const).filter((d) => info.streams[d]);
  for (const d of dirs) device.takeDma(d);
  for (let k = 0; k < commands.length; k++) {
    const cmd = commands[k]!;
    let m;
    try {
      m = model.send(cmd);
    } catch (e) {
      return { ...result, status: 'ERROR', message: `model: ${(e as Error).message}` };
    }
    let got: Outcome;
    try {
      got = await exec(device, cmd);
    } catch (e) {
      return { ...result, status: 'ERROR', message: `backend threw on ${cmd.type}: ${(e as Error).message}` };
    }
    const rec: StepRecord = { step: k, command: stringify(cmd), model: stringify(m.outcome), backend: stringify(got), transitions: [...m.transitions] };
    result.steps.push(rec);
    const rules = new Set<RuleId>(m.rules);
    let divergence = diffOutcome(m.outcome, got);
    for (let fd = 0; fd < files && !divergence; fd++) {
      const bp = await exec(device, { type: 'PEEK', fd });
      const mp = decide(model.context, { type: 'PEEK', fd }).next.last;
      divergence = diffPeek(fd, mp.ok ? mp.peek : undefined, bp.ok ? bp.peek : undefined);
    }
    const ctx = model.context;
    for (const dir of dirs) {
      const fed = tracker.feed(dir, device.takeDma(dir));
      fed.rules.forEach((r) => rules.add(r));
      result.syncEdges.push(...fed.edges);
      result.syncStates.push(...fed.states);
      result.syncTransitions.push(...fed.transitions);
      rec.transitions.push(...fed.transitions.map((t) => `${dir[0]}: ${t}`));
      if (divergence) continue;
      if (fed.problem) divergence = `${dir} views: ${fed.problem}`;
      // A buffer the runtime took: its need_sync and the stream's EXPLICIT_SYNC, as the PCM
      // machine has them (sync.buffer.type, sync.explicit.managed).
      const s = ctx.streams.find((x) => x.dir === dir && x.state !== 'CLOSED');
      for (const a of fed.attached) {
        if (divergence) break;
        if (!s?.buf) divergence = `${dir}: the backend attached a buffer the model does not have`;
        else if (a.needSync !== s.buf.needSync || a.explicit !== s.explicitSync) {
          divergence = `${dir} buffer: model need_sync ${s.buf.needSync}, EXPLICIT_SYNC ${s.explicitSync}; backend need_sync ${a.needSync}, EXPLICIT_SYNC ${a.explicit}`;
        }
      }
      const want = ctx.lastSyncs.filter((s) => ctx.streams[s.fd]?.dir === dir);
      const gotCalls = fed.calls.filter((c) => c.site !== 'silence');
      if (!divergence && show(want) !== show(gotCalls)) divergence = `${dir} sync calls: model ${show(want)}, backend ${show(gotCalls)}`;
      const sm = tracker.model(dir);
      const v = device.views(dir);
      if (!divergence && sm && v) {
        const p = viewsAgree(sm, v.cpu, v.dev, v.cpu.length);
        if (p) divergence = `${dir} views: ${p}`;
      }
    }
    recordStep(result, rules, m, divergence);
    if (divergence) {
      rec.divergence = divergence;
      return { ...result, status: 'FAIL', message: `step ${k} ${cmd.type}: ${divergence}` };
    }
  }
  return result;
}

export type { StreamDir };
