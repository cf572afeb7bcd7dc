// `npm run bench [-- --quick] [--only data,threads,sim,explore,conformance]`: every figure of
// issue 7 measured in one run on this machine, printed as tables of absolute figures and of ratios
// within the run, and written to bench/results/<date>-<host>.json (--quick or --only: a .tmp file,
// ignored by git). --quick is a smoke run that keeps the benchmark code working; its figures are noise.
//
// glibc's memcpy takes `rep movsb` from 2 KiB on this CPU and falls to ~3.5 GB/s when the
// destination sits just past a 4 KiB boundary relative to the source, which decides copies of 4 KiB
// and more by the luck of the allocator (shared/notes/performance.md). The benchmark therefore runs
// in a child process with GLIBC_TUNABLES raising that threshold, so every copy takes the same path.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { GiB, machine, median, optionsFor, throughput, type BenchOptions } from './harness.ts';
import { FRAME_BYTES, copyLoop, ringCaptureLoop, ringPlaybackLoop, ringbufLoop, twoCopyLoop } from './data.ts';
import { DeviceThread, threadThroughput } from './threads.ts';
import { JUMP, crossing, jumpedRate, steppedRate } from './sim.ts';
import type { OursResult, XstateResult } from './explore-child.ts';
import { runAll, workload, quickWorkload } from './conformance.ts';
import { duration, markdown, pct, render, si, times, type Table } from './table.ts';

const TUNABLE = 'glibc.cpu.x86_rep_movsb_threshold=4194304';
const here = dirname(fileURLToPath(import.meta.url));
const SECTIONS = ['data', 'threads', 'sim', 'explore', 'conformance'] as const;
type Section = (typeof SECTIONS)[number];
const PERIOD_SIZES = [64, 256, 1024, 4096];

function args(): { quick: boolean; only: Set<Section>; markdown: boolean } {
  const a = process.argv.slice(2);
  const quick = a.includes('--quick');
  const k = a.indexOf('--only');
  const only = new Set<Section>(k >= 0 ? (a[k + 1] ?? '').split(',').filter((x): x is Section => (SECTIONS as readonly string[]).includes(x)) : SECTIONS);
  const unknown = a.filter((x, i) => x !== '--quick' && x !== '--only' && x !== '--markdown' && !(k >= 0 && i === k + 1));
  if (unknown.length || only.size === 0) {
    process.stderr.write(`usage: npm run bench [-- --quick] [--only ${SECTIONS.join(',')}] [--markdown]\n`);
    process.exit(2);
  }
  return { quick, only, markdown: a.includes('--markdown') };
}

interface Target {
  id: string;
  text: string;
  /** null: not measured in this run (--quick). */
  met: boolean | null;
  value: string;
}

const log = (s: string) => process.stderr.write(`${s}\n`);

// ---- data path, one thread

function dataSection(o: BenchOptions, tables: Table[], targets: Target[]) {
  const rows: Record<string, unknown>[] = [];
  const t: Table = {
    title: 'Data path, one thread (S16_LE stereo, 4 periods per buffer; frames/s, median of rounds)',
    head: ['period', 'set GiB/s', '2 copies', 'ring play', 'ring capture', 'ringbuf.js', 'play/limit', 'capture/limit', 'play/2 copies', 'play/ringbuf', 'capture/ringbuf'],
    rows: [],
    notes: [
      'set: TypedArray.set of one period (the copy limit of a frame copied twice is half of it); 2 copies: a period into a 4-period buffer and one out, no bookkeeping',
      'ring play: writeFrames() a period, advance() a period (the device copies it out through the port); ring capture: advance() (the device copies a period in), readFrames()',
      'limit = set ÷ 2 in frames/s; GiB/s = frames/s × 4 bytes',
    ],
  };
  for (const period of PERIOD_SIZES) {
    log(`  data path, period ${period}`);
    const loops = { set: copyLoop(period), two: twoCopyLoop(period), play: ringPlaybackLoop(period), capture: ringCaptureLoop(period), ringbuf: ringbufLoop(period) };
    for (const l of Object.values(loops)) l.verify();
    const r = throughput(Object.fromEntries(Object.entries(loops).map(([k, l]) => [k, l.body])), o);
    const limit = r.set! / 2;
    const row = {
      period,
      setGiBs: (r.set! * FRAME_BYTES) / GiB,
      framesPerS: r,
      playOfLimit: r.play! / limit,
      captureOfLimit: r.capture! / limit,
      playOfTwoCopies: r.play! / r.two!,
      captureOfTwoCopies: r.capture! / r.two!,
      playVsRingbuf: r.play! / r.ringbuf!,
      captureVsRingbuf: r.capture! / r.ringbuf!,
    };
    rows.push(row);
    const g = (x: number) => `${si(x)} (${((x * FRAME_BYTES) / GiB).toFixed(1)} GiB/s)`;
    t.rows.push([
      String(period), row.setGiBs.toFixed(1), g(r.two!), g(r.play!), g(r.capture!), g(r.ringbuf!),
      pct(row.playOfLimit), pct(row.captureOfLimit), pct(row.playOfTwoCopies), times(row.playVsRingbuf), times(row.captureVsRingbuf),
    ]);
  }
  tables.push(t);
  const big = rows.filter((r) => (r.period as number) >= 1024) as { period: number; playOfLimit: number; captureOfLimit: number; playVsRingbuf: number; captureVsRingbuf: number }[];
  const worstLimit = Math.min(...big.flatMap((r) => [r.playOfLimit, r.captureOfLimit]));
  const worstRb = Math.min(...big.flatMap((r) => [r.playVsRingbuf, r.captureVsRingbuf]));
  targets.push(
    { id: 'data.limit', text: 'ring core, one thread, period ≥ 1024: ≥ 80% of the copy-twice limit (≥ 40% of TypedArray.set)', met: worstLimit >= 0.8, value: `worst ${pct(worstLimit)} of the limit` },
    { id: 'data.ringbuf', text: 'ring core, one thread, period ≥ 1024: ≥ 5× ringbuf.js', met: worstRb >= 5, value: `worst ${times(worstRb)}` },
  );
  return rows;
}

// ---- data path across threads

async function threadsSection(o: BenchOptions, tables: Table[], targets: Target[]) {
  const dev = new DeviceThread();
  const rows: { period: number; ring: number; ringbuf: number; ratio: number }[] = [];
  const t: Table = {
    title: 'Data path across threads (a worker thread is the device, frames in a SharedArrayBuffer; frames/s)',
    head: ['period', 'ring core', 'ringbuf.js', 'ring/ringbuf'],
    rows: [],
    notes: ['ring core: sharedDma; the main thread writes and runs the interrupts, the worker copies each period out of the DMA buffer'],
  };
  try {
    for (const period of PERIOD_SIZES) {
      log(`  threads, period ${period}`);
      const r = await threadThroughput(dev, period, o);
      rows.push({ period, ...r, ratio: r.ring / r.ringbuf });
      t.rows.push([String(period), `${si(r.ring)} (${((r.ring * FRAME_BYTES) / GiB).toFixed(1)} GiB/s)`, `${si(r.ringbuf)} (${((r.ringbuf * FRAME_BYTES) / GiB).toFixed(1)} GiB/s)`, times(r.ring / r.ringbuf)]);
    }
  } finally {
    await dev.stop();
  }
  tables.push(t);
  const worst = Math.min(...rows.filter((r) => r.period >= 256).map((r) => r.ratio));
  targets.push({ id: 'threads.ringbuf', text: 'ring core across threads, period ≥ 256: ≥ 2× ringbuf.js', met: worst >= 2, value: `worst ${times(worst)}` });
  return rows;
}

// ---- simulated time

function simSection(o: BenchOptions, tables: Table[], targets: Target[]) {
  log('  simulated time');
  const stepped = PERIOD_SIZES.map((p) => ({ period: p, framesPerS: steppedRate(p, o) }));
  const jumped = jumpedRate(1024, o);
  const compatStepped = crossing(1024, 63 * 1024, 'compat32');
  const b64Jumped = crossing(1024, JUMP, '64');
  const b64Stepped = Number(b64Jumped.frames) / stepped.find((s) => s.period === 1024)!.framesPerS;
  tables.push({
    title: 'Simulated time (free-running playback nobody listens to; FORWARD keeps appl_ptr with the device)',
    head: ['what', 'figure'],
    rows: [
      ...stepped.map((s) => [`virtual frames per second, every interrupt (period ${s.period})`, si(s.framesPerS)]),
      ['virtual frames per second, 2^52-frame advances in closed form (period 1024)', si(jumped)],
      [`both pointers across the 32-bit compat boundary (2^30 frames), every interrupt`, `${duration(compatStepped.seconds)} (${compatStepped.calls} calls)`],
      [`both pointers across the 64-bit boundary (2^62 frames), in closed form`, `${duration(b64Jumped.seconds)} (${b64Jumped.calls} calls)`],
      [`the same, every interrupt (estimated from the rate above)`, duration(b64Stepped)],
    ],
  });
  targets.push({ id: 'sim.boundary', text: 'the 64-bit boundary crossed in simulation in under 1 s of wall time', met: b64Jumped.seconds < 1, value: duration(b64Jumped.seconds) });
  return { stepped, jumpedFramesPerS: jumped, compat32: { ...compatStepped, frames: String(compatStepped.frames) }, boundary64: { ...b64Jumped, frames: String(b64Jumped.frames) }, boundary64SteppedEstimateS: b64Stepped };
}

// ---- exploration

function child<T>(argv: string[], timeoutS: number): Promise<{ ok: true; value: T } | { ok: false; why: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...process.execArgv, join(here, 'explore-child.ts'), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutS * 1000);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ ok: true, value: JSON.parse(out) as T });
      else if (signal === 'SIGKILL') resolve({ ok: false, why: `did not finish in ${timeoutS} s` });
      else if (/heap out of memory|Allocation failed/.test(err)) resolve({ ok: false, why: 'ran out of memory' });
      else resolve({ ok: false, why: `failed: ${err.trim().split('\n').slice(-3).join(' ')}` });
    });
  });
}

async function exploreSection(o: BenchOptions, tables: Table[], targets: Target[]) {
  const ns = o.quick ? [16, 64, 256] : [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192];
  const xTimeout = o.quick ? 20 : 120;
  const rows: { n: number; ours: OursResult | { error: string }; xstate: XstateResult | { error: string } | null }[] = [];
  let xstateGaveUp = false;
  for (const n of ns) {
    log(`  exploration, N = ${n}`);
    const x = await child<OursResult>(['ours', String(n), 'confirm'], 900);
    const ours: OursResult | { error: string } = x.ok ? x.value : { error: x.why };
    let xstate: XstateResult | { error: string } | null = null;
    if (!xstateGaveUp) {
      const x = await child<XstateResult>(['xstate', String(n)], xTimeout);
      xstate = x.ok ? x.value : { error: x.why };
      if (!x.ok) xstateGaveUp = true;
    }
    rows.push({ n, ours, xstate });
  }
  const t: Table = {
    title: 'Exploration of PCM(N): the one-file machine, 18 events, exact context, hw_ptr/appl_ptr bounded to N',
    head: ['N', 'states', 'transitions', 'ours: path set', 'states/s', 'transitions/s', 'paths (steps)', 'XState confirm', 'getShortestPaths', 'its states/s', 'speed-up'],
    rows: [],
    notes: [
      'path set = explore() + cover(): paths that take every transition; XState confirm: machine.transition() checks every transition afterwards',
      'getShortestPaths: xstate/graph, same machine, events, bound and state identity, one path per state; each engine warmed up on PCM(min(N, 256)) first',
    ],
  };
  const speedups: number[] = [];
  let n8192: OursResult | null = null;
  for (const r of rows) {
    if ('error' in r.ours) {
      t.rows.push([String(r.n), '', '', r.ours.error, '', '', '', '', '', '', '']);
      continue;
    }
    const u = r.ours;
    if (u.n === 8192) n8192 = u;
    const produce = (u.exploreMs + u.coverMs) / 1000;
    let xs = '—';
    let xRate = '';
    let sp = '';
    if (r.xstate && 'error' in r.xstate) xs = r.xstate.error;
    else if (r.xstate) {
      if (r.xstate.states !== u.states) throw new Error(`N=${r.n}: getShortestPaths found ${r.xstate.states} states, ours ${u.states}`);
      xs = duration(r.xstate.ms / 1000);
      xRate = si(r.xstate.states / (r.xstate.ms / 1000));
      const s = r.xstate.ms / 1000 / produce;
      speedups.push(s);
      sp = times(s);
    }
    t.rows.push([
      String(r.n), String(u.states), String(u.transitions), duration(produce), si(u.states / produce), si(u.transitions / produce),
      `${u.paths} (${u.steps})`, duration(u.confirmMs / 1000), xs, xRate, sp,
    ]);
  }
  tables.push(t);
  const full = o.quick ? null : n8192;
  targets.push({
    id: 'explore.8192',
    text: 'a path set covering every transition for N = 8192 in under 60 s',
    met: full === null ? null : (full.exploreMs + full.coverMs) / 1000 < 60,
    value: full ? `${duration((full.exploreMs + full.coverMs) / 1000)} (then ${duration(full.confirmMs / 1000)} for XState to confirm every transition)` : 'not measured (--quick)',
  });
  const worst = speedups.length ? Math.min(...speedups) : NaN;
  targets.push({ id: 'explore.xstate', text: '≥ 10× faster than getShortestPaths wherever it finishes', met: worst >= 10, value: `worst ${times(worst)}` });
  return rows;
}

// ---- conformance

async function conformanceSection(o: BenchOptions, tables: Table[], targets: Target[]) {
  log('  conformance: planning the paths (not timed)');
  const w = o.quick ? quickWorkload() : await workload();
  await runAll(w); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < o.rounds; r++) {
    const t0 = performance.now();
    const steps = await runAll(w);
    rates.push(steps / ((performance.now() - t0) / 1000));
  }
  const rate = median(rates);
  tables.push({
    title: 'Conformance throughput against the ring core',
    head: ['workload', 'paths', 'steps', 'checked steps/s'],
    rows: [[w.name, String(w.paths.length), String(w.steps), si(rate)]],
    notes: ['a step: the model (XState machine.transition) takes the command, the ring core executes it, the outcomes are compared, then both PEEKs of every file'],
  });
  targets.push({ id: 'conformance', text: '≥ 50,000 checked steps per second on the ring core', met: rate >= 50_000, value: si(rate) });
  return { workload: w.name, paths: w.paths.length, steps: w.steps, stepsPerS: rate };
}

// ---- main

async function main() {
  const a = args();
  if (!(process.env.GLIBC_TUNABLES ?? '').includes('x86_rep_movsb_threshold')) {
    const env = { ...process.env, GLIBC_TUNABLES: [process.env.GLIBC_TUNABLES, TUNABLE].filter(Boolean).join(':') };
    const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
    process.exit(r.status ?? 1);
  }
  const o = optionsFor(a.quick);
  const m = machine();
  const started = new Date();
  const load0 = loadavg()[0]!;
  log(`benchmark on ${m.host} (${m.cpu}, ${m.cores} cores, Node ${m.node})${a.quick ? ', quick' : ''}`);
  const tables: Table[] = [];
  const targets: Target[] = [];
  const results: Record<string, unknown> = {};
  if (a.only.has('data')) results.data = dataSection(o, tables, targets);
  if (a.only.has('threads')) results.threads = await threadsSection(o, tables, targets);
  if (a.only.has('sim')) results.sim = simSection(o, tables, targets);
  if (a.only.has('explore')) results.explore = await exploreSection(o, tables, targets);
  if (a.only.has('conformance')) results.conformance = await conformanceSection(o, tables, targets);
  const load1 = loadavg()[0]!;
  const header = `${m.host}: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, GLIBC_TUNABLES=${m.glibcTunables}; load average ${load0.toFixed(1)} → ${load1.toFixed(1)}; ${started.toISOString()}${a.quick ? ' (quick: smoke run, figures are noise)' : ''}`;
  const targetTable: Table = {
    title: 'Targets (ratios within this run)',
    head: ['target', 'result', 'met'],
    rows: targets.map((t) => [t.text, t.value, t.met === null ? '—' : t.met ? 'yes' : 'NO']),
  };
  const all = [...tables, targetTable];
  process.stdout.write(`\n${header}\n\n${all.map(a.markdown ? markdown : render).join('\n\n')}\n`);
  const dir = join(here, 'results');
  mkdirSync(dir, { recursive: true });
  // only a full run is a result; a quick or partial one is kept beside it, ignored by git
  const partial = a.quick || a.only.size < SECTIONS.length;
  const file = join(dir, `${started.toISOString().slice(0, 10)}-${m.host}${partial ? `-${[...a.only].join('-')}${a.quick ? '-quick' : ''}.tmp` : '.json'}`);
  const json = { date: started.toISOString(), machine: m, quick: a.quick, loadAverage: [load0, load1], results, targets, markdown: all.map(markdown).join('\n\n') };
  writeFileSync(file, `${JSON.stringify(json, (_k, v) => (typeof v === 'bigint' ? String(v) : v), 2)}\n`);
  log(`wrote ${file}`);
}

await main();
