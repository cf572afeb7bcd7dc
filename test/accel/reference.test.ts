// The reference accelerator on its own: the conversion against hand-computed values and against
// the independent oracle, the shared buffers, worker-thread and real-time execution, and the
// device facts spec/accel/device.md states.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { POLL, TASK_FLAG } from '../../spec/abi/compress.ts';
import { FORMATS } from '../../spec/abi/params.ts';
import type { AccelBackend, AccelCommand, AccelDevice, AccelOk, AccelParams } from '../../spec/accel-device.ts';
import { RULES } from '../../spec/rules.generated.ts';
import { show } from '../../conformance/accel/format.ts';
import { expectedOutput, inputPattern } from '../../conformance/accel/oracle.ts';
import { REFERENCE_ACCEPTS, REFERENCE_CAPS, referenceAccelBackend } from '../../reference/accel/index.ts';
import { CREATE, OPEN, arg, free, setParams, start, status } from './helpers.ts';

const S16 = FORMATS.S16_LE.value;
const F32 = FORMATS.FLOAT_LE.value;

function params(ch: number, out: number, ratio: 1 | 2, frames = 4, fragments = 2): AccelParams {
  return {
    fragment_size: frames * 2 * ch,
    fragments,
    codec: { id: 1, ch_in: ch, ch_out: ch, sample_rate: 48000, format: S16, pcm_format: out, out_sample_rate: 48000 * ratio },
  };
}

const s16bytes = (xs: number[]) => {
  const b = Buffer.alloc(xs.length * 2);
  xs.forEach((x, i) => b.writeInt16LE(x, i * 2));
  return new Uint8Array(b);
};
const readS16 = (b: Uint8Array) => Array.from({ length: b.length / 2 }, (_, i) => Buffer.from(b).readInt16LE(i * 2));
const readF32 = (b: Uint8Array) => Array.from({ length: b.length / 4 }, (_, i) => Buffer.from(b).readFloatLE(i * 4));

/** A session whose commands must succeed. */
class Session {
  constructor(readonly dev: AccelDevice) {}
  async x(cmd: AccelCommand): Promise<AccelOk> {
    const r = await this.dev.exec(cmd);
    if (!r.ok) assert.fail(`${cmd.type} failed: ${show(r)}`);
    return r;
  }
  /** OPEN, SET_PARAMS and `n` tasks; returns their descriptors. */
  async setup(p: AccelParams, n = 1): Promise<Array<{ seqno: bigint; input_fd: number; output_fd: number; ok: AccelOk }>> {
    await this.x(OPEN);
    await this.x(setParams(p));
    const tasks = [];
    for (let i = 0; i < n; i++) {
      const c = await this.x(CREATE);
      tasks.push({ seqno: c.task!.seqno, input_fd: c.task!.input_fd, output_fd: c.task!.output_fd, ok: c });
    }
    return tasks;
  }
  /** Fills a task's input, starts it, finishes it, and reads its output. */
  async convert(t: { seqno: bigint; input_fd: number; output_fd: number }, input: Uint8Array, flags = 0): Promise<Uint8Array> {
    await this.x({ type: 'DMABUF_WRITE', fd: t.input_fd, offset: 0, data: input });
    await this.x(start(t.seqno, BigInt(input.length), flags));
    assert.equal((await this.x({ type: 'TASK_FINISHED' })).finished, t.seqno);
    const st = (await this.x(status(t.seqno))).status!;
    assert.equal(st.state, 'FINISHED');
    return (await this.x({ type: 'DMABUF_READ', fd: t.output_fd, offset: 0, bytes: Number(st.output_size) })).data!;
  }
}

async function withSession<T>(backend: AccelBackend, f: (s: Session) => Promise<T>): Promise<T> {
  const dev = await backend.open();
  try {
    return await f(new Session(dev));
  } finally {
    await dev.dispose();
    await backend.shutdown();
  }
}

describe('the reference conversion', () => {
  test('S16_LE to FLOAT_LE at the same rate divides by 32768 exactly', async () => {
    await withSession(referenceAccelBackend(), async (s) => {
      const [t] = await s.setup(params(1, F32, 1));
      const out = await s.convert(t!, s16bytes([0, 16384, -32768, 32767]));
      assert.deepEqual(readF32(out), [0, 0.5, -1, 32767 / 32768]);
    });
  });

  test('twice the rate in S16_LE inserts floor((p + s) / 2) before each sample, p = s at a stream start', async () => {
    await withSession(referenceAccelBackend(), async (s) => {
      const [t] = await s.setup(params(1, S16, 2, 3));
      assert.deepEqual(readS16(await s.convert(t!, s16bytes([100, 201, -3]))), [100, 100, 150, 201, 99, -3]);
    });
  });

  test('stereo channels are interpolated on their own and frames stay interleaved', async () => {
    await withSession(referenceAccelBackend(), async (s) => {
      const [t] = await s.setup(params(2, F32, 2, 2));
      const out = readF32(await s.convert(t!, s16bytes([0, 1000, 2, -1000])));
      assert.deepEqual(out, [0, 1000 / 32768, 0, 1000 / 32768, 1 / 32768, 0, 2 / 32768, -1000 / 32768]);
    });
  });

  test('a task continues the stream of the previous one, and SND_COMPRESS_TFLG_NEW_STREAM starts afresh', async () => {
    await withSession(referenceAccelBackend(), async (s) => {
      const [a, b] = await s.setup(params(1, S16, 2, 2), 2);
      assert.deepEqual(readS16(await s.convert(a!, s16bytes([10, 20]))), [10, 10, 15, 20]);
      assert.deepEqual(readS16(await s.convert(b!, s16bytes([40]))), [30, 40], 'continues from 20');
      await s.x(free(a!.seqno));
      const c = await s.x(CREATE);
      const t = { seqno: c.task!.seqno, input_fd: c.task!.input_fd, output_fd: c.task!.output_fd };
      assert.deepEqual(readS16(await s.convert(t, s16bytes([-40]), TASK_FLAG.NEW_STREAM)), [-40, -40]);
    });
  });

  test('the output equals the oracle for every supported layout, across tasks, with and without NEW_STREAM', async () => {
    for (const ch of [1, 2]) {
      for (const out of [S16, F32]) {
        for (const ratio of [1, 2] as const) {
          await withSession(referenceAccelBackend(), async (s) => {
            const p = params(ch, out, ratio, 5, 3);
            await s.setup(p, 0);
            let history: number[] | null = null;
            for (let n = 0; n < 9; n++) {
              // a FINISHED task can be neither restarted nor started again: free it, create another
              const c = await s.x(CREATE);
              const t = { seqno: c.task!.seqno, input_fd: c.task!.input_fd, output_fd: c.task!.output_fd };
              const frames = 1 + (n % 5);
              const input = inputPattern(7, n, frames * 2 * ch);
              const flags = n % 4 === 3 ? TASK_FLAG.NEW_STREAM : 0;
              const want = expectedOutput(p, input, flags ? null : history);
              history = want.last;
              const got = await s.convert(t, input, flags);
              assert.deepEqual(got, want.bytes, `ch ${ch} out ${out} ratio ${ratio} task ${n}`);
              await s.x(free(t.seqno));
            }
          });
        }
      }
    }
  });
});

describe('the reference device', () => {
  test('TASK_CREATE gives each task its own SharedArrayBuffers: fragment_size in, the converted size out', async () => {
    await withSession(referenceAccelBackend(), async (s) => {
      const [a, b] = await s.setup(params(2, F32, 2, 3), 2);
      const ba = a!.ok.buffers!;
      assert.ok(ba.input instanceof SharedArrayBuffer && ba.output instanceof SharedArrayBuffer);
      assert.equal(ba.input.byteLength, 12);
      assert.equal(ba.output.byteLength, 3 * 2 * 8);
      assert.notEqual(ba.input, b!.ok.buffers!.input);
      assert.deepEqual(new Set([a!.input_fd, a!.output_fd, b!.input_fd, b!.output_fd]).size, 4);
    });
  });

  test('at most fragments tasks exist: the next TASK_CREATE fails with EBUSY', async () => {
    await withSession(referenceAccelBackend(), async (s) => {
      await s.setup(params(1, S16, 1, 4, 3), 3);
      assert.deepEqual(await s.dev.exec(CREATE), { ok: false, errno: 'EBUSY', rule: 'accel.task-create.busy' });
    });
  });

  test('dma-buf descriptors keep their buffers after TASK_FREE and close, until DMABUF_CLOSE', async () => {
    await withSession(referenceAccelBackend(), async (s) => {
      const [t] = await s.setup(params(1, S16, 1));
      const out = await s.convert(t!, s16bytes([1, 2, 3, 4]));
      await s.x(free(t!.seqno));
      await s.x({ type: 'CLOSE' });
      assert.deepEqual((await s.x({ type: 'DMABUF_READ', fd: t!.output_fd, offset: 0, bytes: 8 })).data, out);
      await s.x({ type: 'DMABUF_CLOSE', fd: t!.output_fd });
      assert.equal((await s.dev.exec({ type: 'DMABUF_READ', fd: t!.output_fd, offset: 0, bytes: 8 })).ok, false);
    });
  });

  test('DMABUF access fails with EBADF on an unknown descriptor and EINVAL beyond the buffer', async () => {
    await withSession(referenceAccelBackend(), async (s) => {
      const [t] = await s.setup(params(1, S16, 1));
      assert.deepEqual(await s.dev.exec({ type: 'DMABUF_WRITE', fd: 99, offset: 0, data: new Uint8Array(2) }), { ok: false, errno: 'EBADF' });
      assert.deepEqual(await s.dev.exec({ type: 'DMABUF_WRITE', fd: t!.input_fd, offset: 6, data: new Uint8Array(4) }), { ok: false, errno: 'EINVAL' });
      assert.deepEqual(await s.dev.exec({ type: 'DMABUF_READ', fd: t!.output_fd, offset: 0, bytes: 9 }), { ok: false, errno: 'EINVAL' });
    });
  });

  test('seqnos wrap past 0 on the reference when the counter starts near 2^64', async () => {
    await withSession(referenceAccelBackend({ seqnoStart: (1n << 64n) - 2n }), async (s) => {
      const [a, b] = await s.setup(params(1, S16, 1), 2);
      assert.equal(a!.seqno, (1n << 64n) - 1n);
      assert.equal(b!.seqno, 1n);
    });
  });

  test('the reference declares the caps and parameters spec/accel/device.md states', () => {
    assert.deepEqual(REFERENCE_CAPS, {
      num_codecs: 1, direction: 2, min_fragment_size: 2, max_fragment_size: 65536, min_fragments: 1, max_fragments: 64, codecs: [1],
    });
    const caps = RULES['accel.device.caps'].then;
    for (const phrase of ['min_fragment_size 2', 'max_fragment_size 65536', 'min_fragments 1', 'max_fragments 64']) {
      assert.ok(caps.includes(phrase), phrase);
    }
    const set = RULES['accel.device.set-params'].then;
    for (const r of REFERENCE_ACCEPTS.rates) assert.ok(set.includes(String(r)), `rate ${r}`);
    assert.deepEqual(REFERENCE_ACCEPTS.formats_out, [S16, F32]);
  });
});

describe('the reference accelerator off the main thread', () => {
  test('a worker thread converts on the shared buffers and gives the inline result', async () => {
    const p = params(2, F32, 2, 6);
    const input = inputPattern(3, 0, 24);
    const inline = await withSession(referenceAccelBackend(), async (s) => s.convert((await s.setup(p))[0]!, input));
    const worker = await withSession(referenceAccelBackend({ worker: true }), async (s) => s.convert((await s.setup(p))[0]!, input));
    assert.deepEqual(worker, inline);
    assert.deepEqual(worker, expectedOutput(p, input, null).bytes);
  });

  test('in real time, started tasks finish by themselves in start order and POLL with a timeout wakes on EPOLLIN', async () => {
    await withSession(referenceAccelBackend({ worker: true, realTime: true }), async (s) => {
      assert.equal(s.dev.info.virtualClock, false);
      const p = params(1, S16, 2, 4);
      const [a, b] = await s.setup(p, 2);
      const ina = inputPattern(5, 0, 8);
      const inb = inputPattern(5, 1, 8);
      await s.x({ type: 'DMABUF_WRITE', fd: a!.input_fd, offset: 0, data: ina });
      await s.x({ type: 'DMABUF_WRITE', fd: b!.input_fd, offset: 0, data: inb });
      await s.x(start(a!.seqno));
      await s.x(start(b!.seqno));
      const woke = await s.x({ type: 'POLL', events: POLL.IN, timeout: 10_000 });
      assert.equal(woke.revents, POLL.IN, 'the head of the list finished');
      if ((await s.x(status(b!.seqno))).status!.state !== 'FINISHED') {
        assert.equal((await s.x({ type: 'TASK_FINISHED' })).finished, b!.seqno);
      }
      const wa = expectedOutput(p, ina, null);
      const wb = expectedOutput(p, inb, wa.last);
      assert.deepEqual((await s.x({ type: 'DMABUF_READ', fd: a!.output_fd, offset: 0, bytes: wa.bytes.length })).data, wa.bytes);
      assert.deepEqual((await s.x({ type: 'DMABUF_READ', fd: b!.output_fd, offset: 0, bytes: wb.bytes.length })).data, wb.bytes);
      assert.equal((await s.x({ type: 'POLL' })).revents, POLL.IN | POLL.RDNORM | POLL.OUT | POLL.WRNORM);
    });
  });

  test('in real time, POLL with nothing to wait for answers at once and a timeout expires with 0', async () => {
    await withSession(referenceAccelBackend({ realTime: true }), async (s) => {
      await s.setup(params(1, S16, 1), 1);
      assert.equal((await s.x({ type: 'POLL', events: POLL.IN, timeout: 20 })).revents, 0);
      assert.equal((await s.x({ type: 'POLL', timeout: 20 })).revents, POLL.OUT | POLL.WRNORM);
      assert.equal((await s.x({ type: 'TASK_FINISHED' })).finished, 0n);
    });
  });

  test('in real time, a started task that is stopped before it runs never finishes', async () => {
    await withSession(referenceAccelBackend({ realTime: true, worker: true }), async (s) => {
      const [a, b] = await s.setup(params(1, S16, 1), 2);
      // the three calls run in one turn of the event loop: the worker is still busy with a
      const r = [s.dev.exec(start(a!.seqno)), s.dev.exec(start(b!.seqno)), s.dev.exec({ type: 'TASK_STOP', seqno: b!.seqno })];
      assert.deepEqual(await Promise.all(r.map((x) => Promise.resolve(x).then((o) => o.ok))), [true, true, true]);
      assert.equal((await s.x({ type: 'POLL', events: POLL.IN, timeout: 10_000 })).revents, POLL.IN);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal((await s.x(status(a!.seqno))).status!.state, 'FINISHED');
      assert.equal((await s.x(status(b!.seqno))).status!.state, 'IDLE');
    });
  });

  test('a failing driver start leaves the input stored: TASK_STATUS shows it on the reference too', async () => {
    await withSession(referenceAccelBackend(), async (s) => {
      const [t] = await s.setup(params(1, S16, 1));
      assert.deepEqual(await s.dev.exec({ type: 'TASK_START', task: arg({ seqno: t!.seqno, input_size: 3n }) }), {
        ok: false, errno: 'EINVAL', rule: 'accel.task-start.driver-error',
      });
      assert.equal((await s.x(status(t!.seqno))).status!.input_size, 3n);
    });
  });
});
