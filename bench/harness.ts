// Timing for the benchmarks: time-boxed loops, rounds interleaved across the variants a ratio
// compares (so that a noisy neighbour slows all of them alike), medians, and the machine's name.
import { cpus, hostname, totalmem, type } from 'node:os';
import { readFileSync } from 'node:fs';

export interface BenchOptions {
  quick: boolean;
  /** Rounds per measurement (the median is reported). */
  rounds: number;
  /** Wall time of one round of a throughput loop, in ms. */
  roundMs: number;
}

export const optionsFor = (quick: boolean): BenchOptions =>
  quick ? { quick, rounds: 3, roundMs: 15 } : { quick, rounds: 7, roundMs: 150 };

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A loop body that runs `n` iterations and returns how many units (frames, bytes, steps) it moved. */
export type Body = (n: number) => number;

/** Iterations of `body` that take about `ms` milliseconds (found by doubling). */
export function calibrate(body: Body, ms: number): number {
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    body(n);
    const t = performance.now() - t0;
    if (t >= ms / 4 || n >= 2 ** 30) return Math.max(1, Math.round((n * ms) / Math.max(t, 0.001)));
    n *= 2;
  }
}

/**
 * Units per second of each variant: `rounds` rounds, each running every variant once for about
 * `roundMs` (in turn, so a slow moment hits all of them), and the median of the rounds.
 */
export function throughput(variants: Record<string, Body>, o: BenchOptions): Record<string, number> {
  const names = Object.keys(variants);
  const iters = new Map<string, number>();
  for (const k of names) {
    variants[k]!(1); // warm up, then size the round
    iters.set(k, calibrate(variants[k]!, o.roundMs));
  }
  const rates = new Map<string, number[]>(names.map((k) => [k, []]));
  for (let r = 0; r < o.rounds; r++) {
    for (const k of names) {
      const n = iters.get(k)!;
      const t0 = performance.now();
      const units = variants[k]!(n);
      const t = (performance.now() - t0) / 1000;
      rates.get(k)!.push(units / t);
    }
  }
  return Object.fromEntries(names.map((k) => [k, median(rates.get(k)!)]));
}

/** Median wall time in seconds of `rounds` runs of `f`. */
export function wallTime(f: () => void, rounds: number): number {
  const ts: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    f();
    ts.push((performance.now() - t0) / 1000);
  }
  return median(ts);
}

export interface Machine {
  host: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  glibcTunables: string | null;
}

export function machine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    // /proc/cpuinfo names the CPU where os.cpus() only says the vendor on some VMs
    const m = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m && m[1]!.length > cpu.length) cpu = m[1]!;
  } catch {
    // not Linux: os.cpus() it is
  }
  return {
    host: hostname(),
    cpu,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: type(),
    node: process.version,
    glibcTunables: process.env.GLIBC_TUNABLES ?? null,
  };
}

export const GiB = 2 ** 30;
