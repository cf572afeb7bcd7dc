// What the playback device consumed, in order, as interleaved frames: the other end of the wire,
// for data-integrity tests. Bounded: beyond LIMIT bytes further frames are counted, not kept.

const LIMIT = 64 << 20;

export class Sink {
  private chunks: Uint8Array[] = [];
  private bytes = 0;
  /** Bytes consumed but not kept because the sink was full (or disabled). */
  dropped = 0;

  constructor(readonly enabled: boolean) {}

  record(src: Uint8Array): void {
    if (!this.enabled || this.bytes + src.length > LIMIT) {
      this.dropped += src.length;
      return;
    }
    this.chunks.push(src.slice());
    this.bytes += src.length;
  }

  /** Everything recorded since the last take. */
  take(): Uint8Array {
    const out = new Uint8Array(this.bytes);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    this.chunks = [];
    this.bytes = 0;
    return out;
  }
}
