// The buffer machine's context: one direction's substream as pcm_memory.c keeps it (the card's
// accounting, the preallocated buffer, the runtime buffer), plus what the last command returned,
// the driver callbacks and core steps it made, and the edges it took.
import type { Access } from '../../spec/abi/params.ts';
import type { StreamDir } from '../../spec/abi/states.ts';
import type { HwCaps, HwConfig, MemoryInfo, Outcome } from '../../spec/device.ts';
import type { RuleId } from '../../spec/rules.generated.ts';
import { initialMemory, type CardMem, type KernelVersion, type RuntimeBuf } from './allocator.ts';

export interface BufferMachineInput {
  dir: StreamDir;
  /** The driver's snd_pcm_hardware for every direction the card has (the other direction's
   * preallocation is charged to the same card). */
  caps: Partial<Record<StreamDir, HwCaps>>;
  memory?: MemoryInfo;
  kernel?: KernelVersion;
}

/** One edge the last command took, stable or transient. */
export interface Step {
  id: string;
  rules: readonly RuleId[];
}

export interface BufferContext {
  dir: StreamDir;
  caps: HwCaps;
  mem: CardMem;
  /** runtime->dma_buffer_p */
  buf: RuntimeBuf | null;
  /** The access mode of the current setup (null without one). */
  access: Access | null;
  /** Data mappings of the file. */
  mapped: number;
  /** The HW_PARAMS in flight: its configuration and buffer bytes. */
  pending: { params: HwConfig; bytes: number } | null;
  /** Set while the release of a closing file runs its hw_free. */
  closing: boolean;
  /** runtime->buffer_changed: the pending request's snd_pcm_lib_malloc_pages() returned 1. */
  bufferChanged: boolean;
  last: Outcome;
  /** The driver callbacks and core allocation steps of the last command, e.g.
   * `PLAYBACK core.malloc own 16384` — the reference's recorder writes the same lines. */
  calls: string[];
  steps: Step[];
}

export function initialContext(input: BufferMachineInput): BufferContext {
  const caps = input.caps[input.dir];
  if (!caps) throw new Error(`buffer machine: the device has no ${input.dir} direction`);
  const maxBytes = Object.fromEntries(Object.entries(input.caps).map(([d, c]) => [d, c!.buffer_bytes_max]));
  return {
    dir: input.dir,
    caps,
    mem: initialMemory(input.memory, input.kernel ?? '7.2', maxBytes),
    buf: null,
    access: null,
    mapped: 0,
    pending: null,
    closing: false,
    bufferChanged: false,
    last: { ok: true },
    calls: [],
    steps: [],
  };
}
