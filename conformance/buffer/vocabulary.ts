// The commands the buffer suite sends: the lifecycle commands of the file in slot 0 with buffer
// sizes that straddle every limit a profile has (page boundaries, the preallocation, the card's
// limit, the driver's maximum), and the proc files with well- and ill-formed sizes.
import fc from 'fast-check';
import type { StreamDir } from '../../spec/abi/states.ts';
import type { HwConfig } from '../../spec/device.ts';
import type { BufferEvent } from '../../machines/buffer/index.ts';

/** Buffer sizes in bytes (S16_LE stereo, 4 periods): a page, 2¼ pages (not page-aligned), 16, 32
 * and 64 KiB. */
export const SIZES = [4096, 9216, 16384, 32768, 65536] as const;

export function config(bytes: number, access: HwConfig['access'] = 'RW_INTERLEAVED'): HwConfig {
  return { access, format: 'S16_LE', channels: 2, rate: 48000, period_size: bytes / 16, periods: 4 };
}

/** What prealloc writes try: 0, too small, unaligned, in range, the maximum and past it, and
 * text 7.2 refuses but 6.1 reads (`abc` is 0 there, `16k` is 16). */
export const PROC_TEXTS = ['0', '4', '9', '16', '32', '64', '65', 'abc', '16k', ' "12"', '', '+8\n'] as const;

export function bufferEvents(dir: StreamDir): BufferEvent[] {
  const fd = 0;
  return [
    { type: 'OPEN', fd, stream: dir, nonblock: true },
    { type: 'CLOSE', fd },
    ...SIZES.map((b) => ({ type: 'HW_PARAMS', fd, params: config(b) }) as const),
    { type: 'HW_PARAMS', fd, params: config(16384, 'MMAP_INTERLEAVED') },
    { type: 'HW_PARAMS', fd, params: { ...config(16384), channels: 3 } },
    { type: 'HW_FREE', fd },
    { type: 'MMAP', fd, area: 'DATA' },
    { type: 'MUNMAP', fd, area: 'DATA' },
    { type: 'PROC_READ', stream: dir, file: 'prealloc' },
    { type: 'PROC_READ', stream: dir, file: 'prealloc_max' },
    ...PROC_TEXTS.map((text) => ({ type: 'PROC_WRITE', stream: dir, file: 'prealloc', text }) as const),
    { type: 'PROC_WRITE', stream: dir, file: 'prealloc_max', text: '64' },
    { type: 'PROC_WRITE', stream: dir, file: 'prealloc', text: `${'0'.repeat(16384)}8` }, // past 16 KiB
  ];
}

/** Random sequences over the same commands, lifecycle commands weighted up. */
export function bufferEventArbitrary(dir: StreamDir): fc.Arbitrary<BufferEvent> {
  const all = bufferEvents(dir);
  const life = all.filter((e) => e.type !== 'PROC_READ' && e.type !== 'PROC_WRITE');
  const proc = all.filter((e) => e.type === 'PROC_READ' || e.type === 'PROC_WRITE');
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...life) }, { weight: 2, arbitrary: fc.constantFrom(...proc) });
}
