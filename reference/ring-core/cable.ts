// The loopback cable (option `loopback`), a deterministic stand-in for snd-aloop.
//
// A FIFO of interleaved frame bytes between the two directions of the card:
// - the playback device pushes every frame it consumes (ADVANCE on playback) while the capture
//   substream is running; with no running capture the frames go nowhere, as with snd-aloop;
// - the capture device pulls one frame's worth of bytes for every frame it produces (ADVANCE on
//   capture); an empty cable yields silence of the capture format;
// - the capture driver's prepare empties the cable.
// The cable carries bytes: if the two directions use different frame formats the capture side
// reinterprets them. It holds at most CAPACITY bytes; what does not fit is dropped and counted.

const CAPACITY = 16 << 20;

export class Cable {
  private buf = new Uint8Array(0); // allocated on the first push: most sessions never loop back
  private head = 0; // read index
  private size = 0; // bytes held
  /** Bytes dropped because the cable was full. */
  dropped = 0;

  get length(): number {
    return this.size;
  }

  flush(): void {
    this.head = 0;
    this.size = 0;
  }

  push(src: Uint8Array): void {
    let n = src.length;
    if (this.size + n > CAPACITY) {
      this.dropped += this.size + n - CAPACITY;
      n = CAPACITY - this.size;
    }
    if (n <= 0) return;
    if (this.size + n > this.buf.length) this.grow(this.size + n);
    const cap = this.buf.length;
    const tail = (this.head + this.size) % cap;
    const first = Math.min(n, cap - tail);
    this.buf.set(src.subarray(0, first), tail);
    if (first < n) this.buf.set(src.subarray(first, n), 0);
    this.size += n;
  }

  /** Fills `dst` from the cable, padding with `silence` when it runs dry. */
  pull(dst: Uint8Array, silence: number): void {
    const n = Math.min(dst.length, this.size);
    if (n > 0) {
      const cap = this.buf.length;
      const first = Math.min(n, cap - this.head);
      dst.set(this.buf.subarray(this.head, this.head + first), 0);
      if (first < n) dst.set(this.buf.subarray(0, n - first), first);
      this.head = (this.head + n) % cap;
      this.size -= n;
    }
    if (n < dst.length) dst.fill(silence, n);
  }

  private grow(need: number): void {
    let cap = Math.max(this.buf.length, 4096);
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    const old = this.buf;
    const first = Math.min(this.size, old.length - this.head);
    next.set(old.subarray(this.head, this.head + first), 0);
    if (first < this.size) next.set(old.subarray(0, this.size - first), first);
    this.buf = next;
    this.head = 0;
  }
}
