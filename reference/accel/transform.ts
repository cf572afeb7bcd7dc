// The reference accelerator's conversion (spec/accel/device.md `accel.device.transform`):
// interleaved S16_LE in; S16_LE or FLOAT_LE out; the same rate or twice it, the new samples being
// midpoints of their neighbours. The history (the last input frame of the previous task) carries
// the stream across tasks. Pure, so it runs the same on the main thread and in a worker.

export interface ConvertSpec {
  channels: number;
  outFormat: 'S16_LE' | 'FLOAT_LE';
  ratio: 1 | 2;
}

export interface ConvertResult {
  /** Bytes written at the start of the output buffer. */
  outputSize: number;
  /** The last input frame, to continue the stream with the next task. */
  history: number[] | null;
}

/**
 * Converts the first `inputSize` bytes of `input` into `output`. `history` is the previous task's
 * last input frame, or null at a stream start. `inputSize` is a whole number of frames (the
 * driver's task_start checked it) and `output` is large enough (task_create sized it).
 */
export function convert(
  spec: ConvertSpec,
  input: Uint8Array,
  inputSize: number,
  output: Uint8Array,
  history: number[] | null,
  floatScale = 32768,
): ConvertResult {
  const ch = spec.channels;
  const frames = Math.floor(inputSize / (2 * ch));
  const src = new DataView(input.buffer, input.byteOffset, inputSize);
  const dst = new DataView(output.buffer, output.byteOffset, output.byteLength);
  const outWidth = spec.outFormat === 'S16_LE' ? 2 : 4;
  let o = 0;
  const put = (sum: number, halves: 1 | 2) => {
    // sum is one sample (halves = 1) or the sum of two whose midpoint is wanted (halves = 2)
    if (outWidth === 2) dst.setInt16(o, halves === 1 ? sum : sum >> 1, true);
    else dst.setFloat32(o, sum / (floatScale * halves), true);
    o += outWidth;
  };
  const prev = history ? [...history] : null;
  for (let n = 0; n < frames; n++) {
    const frame: number[] = [];
    for (let c = 0; c < ch; c++) frame.push(src.getInt16((n * ch + c) * 2, true));
    if (spec.ratio === 2) {
      for (let c = 0; c < ch; c++) {
        const p = n > 0 ? src.getInt16(((n - 1) * ch + c) * 2, true) : (prev?.[c] ?? frame[c]!);
        put(p + frame[c]!, 2);
      }
    }
    for (let c = 0; c < ch; c++) put(frame[c]!, 1);
    if (n === frames - 1) return { outputSize: o, history: frame };
  }
  return { outputSize: o, history: prev };
}
