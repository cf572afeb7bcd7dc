// Conformance throughput: model-checked steps per second against the ring core. A step is what
// runSequence() does for one command — the model takes it (XState's machine.transition()), the
// ring core executes it, the outcomes are compared, then both sides' status and control pages
// (PEEK) of every file.
// The full workload is the generated paths `alsa-spec check` runs for the ring core's `full`
// profile (one-file and two-file machines); --quick takes paths of PCM(128) (bench/bounded.ts)
// on a playback-only ring core instead, because planning check's paths takes longer than a smoke
// run may. Each path runs on a fresh session, as the suite runs them.
import type { Command, PcmBackend } from '../spec/device.ts';
import { ringCoreBackend } from '../reference/ring-core/index.ts';
import { ringProfile } from '../conformance/backends.ts';
import { planPathsCached } from '../conformance/explore.ts';
import { cover, explore, pathEvents } from '../conformance/explorer.ts';
import { Model, modelInput } from '../conformance/model.ts';
import { runSequence } from '../conformance/session.ts';
import { BOUNDED_EVENTS, BOUNDED_INPUT, withinBound } from './bounded.ts';

export interface Workload {
  name: string;
  backend: PcmBackend;
  paths: { files: 1 | 2; commands: Command[] }[];
  steps: number;
}

const infoOf = async (b: PcmBackend) => {
  const d = await b.open();
  const info = d.info;
  await d.dispose();
  return info;
};

const total = (paths: Workload['paths']) => paths.reduce((n, p) => n + p.commands.length, 0);

/** The paths of `alsa-spec check` for the ring core's `full` profile. */
export async function workload(): Promise<Workload> {
  const backend = ringProfile('full');
  const info = await infoOf(backend);
  const paths: Workload['paths'] = [];
  for (const files of [1, 2] as const) {
    // as check plans them (conformance/suite.ts)
    const plan = planPathsCached({ files, caps: info.streams, kernel: info.follows, ...(info.memory ? { memory: info.memory } : {}) });
    for (const commands of plan.paths) paths.push({ files, commands });
  }
  return { name: "check's paths, profile full", backend, paths, steps: total(paths) };
}

/** Paths of PCM(128) on a playback-only ring core: no planning of check's paths. */
export function quickWorkload(): Workload {
  const g = explore({ input: BOUNDED_INPUT, events: BOUNDED_EVENTS, expand: withinBound(128) });
  const paths = cover(g).paths.slice(0, 400).map((p) => ({ files: 1 as const, commands: pathEvents(g, p).map((e) => g.events[e]!) }));
  return { name: 'PCM(128) paths, playback only', backend: ringCoreBackend({ streams: { CAPTURE: null } }), paths, steps: total(paths) };
}

/** Runs every path once; returns the steps checked (every path must pass). */
export async function runAll(w: Workload): Promise<number> {
  const info = await infoOf(w.backend);
  let steps = 0;
  for (const p of w.paths) {
    const device = await w.backend.open();
    try {
      const r = await runSequence(new Model(modelInput(info, p.files)), device, p.commands);
      if (r.status !== 'PASS') throw new Error(`a conformance path failed: ${r.message}`);
      steps += r.steps.length;
    } finally {
      await device.dispose();
    }
  }
  return steps;
}
