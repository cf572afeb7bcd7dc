// Which fully specified configurations the driver's constraints admit (pcm.hw-params.invalid):
// the masks and ranges snd_pcm_hw_constraints_complete() installs from struct snd_pcm_hardware,
// with the sizes the rules of snd_pcm_hw_constraints_init() derive from them.
import { FORMATS, type Access } from '../../spec/abi/params.ts';
import type { HwCaps, HwConfig } from '../../spec/device.ts';

/** The access modes snd_pcm_hw_constraints_complete() allows for these info flags. */
export function allowedAccess(caps: HwCaps): Access[] {
  const has = (f: string) => caps.info.includes(f as never);
  const out: Access[] = [];
  if (has('INTERLEAVED')) out.push('RW_INTERLEAVED');
  if (has('NONINTERLEAVED')) out.push('RW_NONINTERLEAVED');
  if (has('MMAP')) {
    if (has('INTERLEAVED')) out.push('MMAP_INTERLEAVED');
    if (has('NONINTERLEAVED')) out.push('MMAP_NONINTERLEAVED');
    if (has('COMPLEX')) out.push('MMAP_COMPLEX');
  }
  return out;
}

export const frameBytes = (p: HwConfig): number => (FORMATS[p.format].bits / 8) * p.channels;

const within = (v: number, r: { min: number; max: number }) => Number.isInteger(v) && v >= r.min && v <= r.max;

export function admissible(caps: HwCaps, p: HwConfig): boolean {
  if (!allowedAccess(caps).includes(p.access)) return false;
  if (!(p.format in FORMATS) || !caps.formats.includes(p.format)) return false;
  if (!within(p.channels, caps.channels) || p.channels < 1) return false;
  if (!within(p.rate, caps.rates) || (caps.rates.list && !caps.rates.list.includes(p.rate))) return false;
  if (!within(p.periods, caps.periods) || p.periods < 1) return false;
  if (!Number.isInteger(p.period_size) || p.period_size < 1) return false;
  const fb = frameBytes(p);
  if (!within(p.period_size * fb, caps.period_bytes)) return false;
  const bufferBytes = p.period_size * p.periods * fb;
  return bufferBytes >= caps.period_bytes.min && bufferBytes <= caps.buffer_bytes_max;
}
