// What the model knows of the reference accelerator's driver (spec/accel/device.md): which
// parameters it accepts, how big its buffers are, which inputs its task_start takes, how much
// output a task makes. Sizes only; the conversion itself is the reference's and the oracle's.
import { FORMATS } from '../../spec/abi/params.ts';
import type { AccelAccepts, AccelParams } from '../../spec/accel-device.ts';

/** Bytes per sample of a SNDRV_PCM_FORMAT_* value, 0 for a format the model does not know. */
export function sampleBytes(format: number): number {
  const f = Object.values(FORMATS).find((x) => x.value === format);
  return f ? f.bits / 8 : 0;
}

export const inFrameBytes = (p: AccelParams) => p.codec.ch_in * sampleBytes(p.codec.format);
export const outFrameBytes = (p: AccelParams) => p.codec.ch_out * sampleBytes(p.codec.pcm_format);
export const rateRatio = (p: AccelParams) => p.codec.out_sample_rate / p.codec.sample_rate;

/** `accel.device.set-params`: does the driver's set_params accept these parameters? */
export function driverAcceptsParams(a: AccelAccepts, p: AccelParams): boolean {
  const c = p.codec;
  return (
    c.id === a.codec &&
    a.formats_in.includes(c.format) &&
    a.formats_out.includes(c.pcm_format) &&
    a.rates.includes(c.sample_rate) &&
    a.ratios.some((r) => c.out_sample_rate === c.sample_rate * r) &&
    c.ch_in === c.ch_out &&
    c.ch_in >= a.channels.min &&
    c.ch_in <= a.channels.max &&
    p.fragment_size % inFrameBytes(p) === 0 &&
    p.fragment_size <= a.max_fragment_size
  );
}

/** `accel.device.task-start`: does the driver's task_start take this input size? */
export function driverAcceptsInput(p: AccelParams, inputSize: bigint): boolean {
  const frame = BigInt(inFrameBytes(p));
  return inputSize > 0n && inputSize % frame === 0n;
}

/** `accel.device.run`: the output_size of a task converted from `inputSize` bytes. */
export function outputSize(p: AccelParams, inputSize: bigint): bigint {
  return (inputSize / BigInt(inFrameBytes(p))) * BigInt(rateRatio(p) * outFrameBytes(p));
}
