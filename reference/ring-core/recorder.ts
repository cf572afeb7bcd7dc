// What the reference lets a test watch that a real kernel would not: the order of the driver's
// callbacks and of the core's allocations (spec/pcm/managed.md), and every access and sync of each
// buffer's two views (spec/pcm/sync.md). Off unless the core was built with `trace: true`.
import type { StreamDir } from '../../spec/abi/states.ts';
import type { DmaEvent } from '../../spec/dma.ts';

export class Recorder {
  private calls: string[] = [];
  private readonly dma: Record<StreamDir, DmaEvent[]> = { PLAYBACK: [], CAPTURE: [] };

  constructor(readonly enabled: boolean) {}

  /** A driver callback or a core allocation step, e.g. `PLAYBACK driver.hw_params changed=1`. */
  call(dir: StreamDir, what: string): void {
    if (this.enabled) this.calls.push(`${dir} ${what}`);
  }

  dmaEvent(dir: StreamDir, e: DmaEvent): void {
    if (this.enabled) this.dma[dir].push(e);
  }

  takeCalls(): string[] {
    const c = this.calls;
    this.calls = [];
    return c;
  }

  takeDma(dir: StreamDir): DmaEvent[] {
    const d = this.dma[dir];
    this.dma[dir] = [];
    return d;
  }
}
