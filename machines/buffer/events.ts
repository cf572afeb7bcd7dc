// The buffer machine's events: the seam's commands that reach a substream's buffer, for the file
// in slot 0 and the proc files of its direction (spec/device.ts).
import type { Command } from '../../spec/device.ts';

export type BufferEvent = Extract<
  Command,
  { type: 'OPEN' | 'CLOSE' | 'HW_PARAMS' | 'HW_FREE' | 'MMAP' | 'MUNMAP' | 'PROC_READ' | 'PROC_WRITE' }
>;

export const BUFFER_EVENT_TYPES = ['OPEN', 'CLOSE', 'HW_PARAMS', 'HW_FREE', 'MMAP', 'MUNMAP', 'PROC_READ', 'PROC_WRITE'] as const;
