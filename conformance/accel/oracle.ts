// An independent computation of what the reference accelerator must output
// (spec/accel/device.md `accel.device.transform`), written from the rule, not from the reference:
// samples are decoded byte by byte, the expected values computed in doubles and encoded with
// Buffer's writers. It shares no code with reference/accel/transform.ts.
import { FORMATS } from '../../spec/abi/params.ts';
import type { AccelParams } from '../../spec/accel-device.ts';

export interface OracleOutput {
  bytes: Uint8Array;
  /** The last input frame: the history of the next task of the stream. */
  last: number[] | null;
}

const s16 = (lo: number, hi: number) => ((hi << 8) | lo) - (hi & 0x80 ? 0x10000 : 0);

/**
 * The output of converting `input` (exactly input_size bytes) with `params`, continuing the
 * stream from `history` (null at a stream start).
 */
export function expectedOutput(params: AccelParams, input: Uint8Array, history: number[] | null): OracleOutput {
  const ch = params.codec.ch_in;
  const toFloat = params.codec.pcm_format === FORMATS.FLOAT_LE.value;
  const twice = params.codec.out_sample_rate === 2 * params.codec.sample_rate;
  const frames: number[][] = [];
  for (let i = 0; i + 2 * ch <= input.length; i += 2 * ch) {
    const f: number[] = [];
    for (let c = 0; c < ch; c++) f.push(s16(input[i + 2 * c]!, input[i + 2 * c + 1]!));
    frames.push(f);
  }
  const values: number[] = []; // in units of one S16 step; halves allowed
  frames.forEach((f, n) => {
    if (twice) {
      const p = n > 0 ? frames[n - 1]! : (history ?? f);
      f.forEach((s, c) => values.push((p[c]! + s) / 2));
    }
    values.push(...f);
  });
  const width = toFloat ? 4 : 2;
  const out = Buffer.alloc(values.length * width);
  values.forEach((v, i) => {
    if (toFloat) out.writeFloatLE(v / 32768, i * width);
    else out.writeInt16LE(Math.floor(v), i * width);
  });
  return { bytes: new Uint8Array(out), last: frames.length > 0 ? frames[frames.length - 1]! : history };
}

/** Deterministic input data for the n-th START of a run: full-scale extremes, zero and noise. */
export function inputPattern(seed: number, n: number, bytes: number): Uint8Array {
  let x = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(n + 1, 0x85ebca6b)) >>> 0;
  const next = () => {
    x = (x + 0x6d2b79f5) >>> 0;
    let t = Math.imul(x ^ (x >>> 15), 1 | x);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
  const out = new Uint8Array(bytes);
  for (let i = 0; i + 1 < bytes; i += 2) {
    const r = next();
    const special = [-32768, 32767, 0, -1, 1][r % 16];
    const v = special ?? ((r >>> 8) & 0xffff) - 32768;
    out[i] = v & 0xff;
    out[i + 1] = (v >> 8) & 0xff;
  }
  if (bytes % 2) out[bytes - 1] = next() & 0xff;
  return out;
}
