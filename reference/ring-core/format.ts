// Sample formats as the PCM core sees them: physical width and the silence pattern
// (sound/core/pcm_misc.c pcm_formats[]; of the formats in spec/abi/params.ts only U8 is not 0).
import { FORMATS, type Format } from '../../spec/abi/params.ts';

export const isFormat = (f: string): f is Format => Object.prototype.hasOwnProperty.call(FORMATS, f);

/** snd_pcm_format_physical_width() in bits. */
export const physicalWidth = (f: Format): number => FORMATS[f].bits;

/** The byte snd_pcm_format_set_silence() writes (every byte of a sample is the same for these formats). */
export const silenceByte = (f: Format): number => (f === 'U8' ? 0x80 : 0);
