// What the reference accelerator declares about itself (spec/accel/device.md).
import { AUDIOCODEC, COMPRESS_DIRECTION } from '../../spec/abi/compress.ts';
import { FORMATS } from '../../spec/abi/params.ts';
import type { AccelAccepts, AccelCaps } from '../../spec/accel-device.ts';

export const MAX_FRAGMENT_SIZE = 65536;
export const RATES = [8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000] as const;

/** `accel.device.caps`. */
export const REFERENCE_CAPS: AccelCaps = {
  num_codecs: 1,
  direction: COMPRESS_DIRECTION.ACCEL,
  min_fragment_size: 2,
  max_fragment_size: MAX_FRAGMENT_SIZE,
  min_fragments: 1,
  max_fragments: 64,
  codecs: [AUDIOCODEC.PCM],
};

/** `accel.device.set-params`. */
export const REFERENCE_ACCEPTS: AccelAccepts = {
  codec: AUDIOCODEC.PCM,
  formats_in: [FORMATS.S16_LE.value],
  formats_out: [FORMATS.S16_LE.value, FORMATS.FLOAT_LE.value],
  rates: [...RATES],
  ratios: [1, 2],
  channels: { min: 1, max: 2 },
  max_fragment_size: MAX_FRAGMENT_SIZE,
};
