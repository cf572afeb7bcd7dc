// The real-kernel backend end to end: for each kernel (7.2, 6.1) and device (dummy, aloop) one VM
// boots and a scripted sequence runs through KernelDevice, asserting the kernel's own answers. The
// kernels are provisioned first when they are missing and this machine can (root, apt); otherwise
// the suite is skipped with the reason printed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PCM_VERSION, SYNC_PTR_FLAG } from '../../spec/abi/ioctl.ts';
import { fillPattern, type Command, type HwConfig, type OkOutcome, type Outcome, type PcmDevice } from '../../spec/device.ts';
import { boundaryOf } from '../../reference/kernel/codec.ts';
import { KernelBackend } from '../../reference/kernel/device.ts';
import type { KernelVersion } from '../../reference/kernel/setup.ts';
import { kernelsReady } from './ready.ts';

const KERNELS: KernelVersion[] = ['7.2', '6.1'];
const DEVICES = ['dummy', 'aloop', 'hda'] as const;

const notReady = await kernelsReady(KERNELS);
if (notReady) console.log(`# skipped: real-kernel VM tests: ${notReady}`);

const HW: HwConfig = { access: 'RW_INTERLEAVED', format: 'S16_LE', channels: 2, rate: 48000, period_size: 1024, periods: 4 };
const BUFFER = HW.period_size * HW.periods;
const NEVER = 1n << 62n; // ≥ boundary for a 4096-frame buffer: never start / never stop
const sw = (start: bigint, stop: bigint) => ({ avail_min: BigInt(HW.period_size), start_threshold: start, stop_threshold: stop, silence_threshold: 0n, silence_size: 0n });

const show = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}` : v instanceof Uint8Array ? `<${v.length} bytes>` : v));
async function ok(d: PcmDevice, cmd: Command): Promise<OkOutcome> {
  const r = await d.exec(cmd);
  if (!r.ok) assert.fail(`${cmd.type} failed: ${show(r)}`);
  return r;
}
async function fails(d: PcmDevice, cmd: Command, errno: string): Promise<void> {
  const r: Outcome = await d.exec(cmd);
  if (r.ok || r.errno !== errno) assert.fail(`${cmd.type}: expected ${errno}, got ${show(r)}`);
}
const state = async (d: PcmDevice, fd = 0) => (await ok(d, { type: 'PEEK', fd })).peek!.state;

/** OPEN, HW_PARAMS, SW_PARAMS, PREPARE and a queue of `frames` test-pattern frames on fd 0. */
async function preparedPlayback(d: PcmDevice, frames: number, nonblock = true, stop = BigInt(BUFFER)): Promise<void> {
  await ok(d, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock });
  await ok(d, { type: 'HW_PARAMS', fd: 0, params: HW });
  await ok(d, { type: 'SW_PARAMS', fd: 0, params: sw(NEVER, stop) });
  await ok(d, { type: 'PREPARE', fd: 0 });
  if (frames > 0) assert.equal((await ok(d, { type: 'WRITEI', fd: 0, frames })).value, BigInt(frames));
}

for (const kernel of KERNELS) {
  for (const device of DEVICES) {
    describe(`kernel ${kernel}, ${device}`, { skip: notReady ?? false }, () => {
      const backend = new KernelBackend({ kernel, device });
      let t0 = 0;
      const session = async <T>(body: (d: PcmDevice) => Promise<T>): Promise<T> => {
        const d = await backend.open();
        try {
          return await body(d);
        } finally {
          await d.dispose();
        }
      };
      before(async () => {
        t0 = Date.now();
        await backend.machine();
      });
      after(async () => {
        const vm = await backend.machine().catch(() => null);
        console.log(`# kernel ${kernel} ${device}: boot ${vm ? (vm.bootMs / 1000).toFixed(1) : '?'} s, whole suite ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        await backend.shutdown();
      });

      it('reports the device honestly: the kernel version, no virtual clock, the caps HW_REFINE found', async () => {
        await session(async (d) => {
          assert.equal(d.info.backend, 'kernel');
          assert.equal(d.info.kernel, kernel);
          assert.equal(d.info.virtualClock, false);
          assert.equal(d.info.loopback, device === 'aloop');
          const p = d.info.streams.PLAYBACK!;
          assert.ok(p.formats.includes('S16_LE') && p.rates.min <= 48000 && p.rates.max >= 48000 && p.channels.max >= 2, show(p));
          assert.equal(p.info.includes('PAUSE'), device !== 'dummy');
          assert.equal(p.info.includes('RESUME'), device !== 'hda');
          assert.ok(p.info.includes('INTERLEAVED') && p.info.includes('MMAP'));
        });
      });

      it('a fresh file is in OPEN, answers its PCM protocol version and refuses PAUSE with ENOSYS', async () => {
        await session(async (d) => {
          await ok(d, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
          assert.equal(await state(d), 'OPEN');
          assert.equal((await ok(d, { type: 'PVERSION', fd: 0 })).value, BigInt(PCM_VERSION[kernel]));
          await fails(d, { type: 'PAUSE', fd: 0, push: true }, 'ENOSYS'); // pcm.pause.no-support: info is 0 in OPEN
          await fails(d, { type: 'START', fd: 0 }, 'EBADFD');
          await fails(d, { type: 'OPEN', fd: 1, stream: 'PLAYBACK', nonblock: true }, 'EBUSY'); // one substream
        });
      });

      it('HW_PARAMS installs the configuration and SW_PARAMS answers the boundary at its ABI offset', async () => {
        await session(async (d) => {
          await ok(d, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
          const hw = (await ok(d, { type: 'HW_PARAMS', fd: 0, params: HW })).hw!;
          assert.deepEqual({ ...hw, flags: hw.flags ?? 0 }, { ...HW, flags: 0, buffer_size: BUFFER });
          assert.equal(await state(d), 'SETUP');
          const boundary = (await ok(d, { type: 'SW_PARAMS', fd: 0, params: sw(1n, BigInt(BUFFER)) })).value;
          assert.equal(boundary, boundaryOf(BUFFER)); // ring.boundary.64: 2^62 for 4096 frames
          assert.equal(boundary, 1n << 62n);
          const peek = (await ok(d, { type: 'PEEK', fd: 0 })).peek!;
          assert.equal(peek.avail_min, BigInt(HW.period_size)); // the control page took SW_PARAMS' avail_min
          await fails(d, { type: 'SW_PARAMS', fd: 0, params: { ...sw(1n, 1n), avail_min: 0n } }, 'EINVAL');
          await fails(d, { type: 'HW_PARAMS', fd: 0, params: { ...HW, channels: 64 } }, 'EINVAL');
          assert.equal(await state(d), 'OPEN'); // pcm.hw-params.invalid drops the stream to OPEN
        });
      });

      it('a started stream runs: ADVANCE observes the hardware moving, and STATUS, SYNC_PTR and the status page agree', async () => {
        await session(async (d) => {
          await preparedPlayback(d, BUFFER);
          assert.equal(await state(d), 'PREPARED');
          const st0 = (await ok(d, { type: 'STATUS', fd: 0, ext: false })).status!;
          assert.deepEqual([st0.state, st0.appl_ptr, st0.hw_ptr, st0.avail], ['PREPARED', BigInt(BUFFER), 0n, 0n]);
          await ok(d, { type: 'START', fd: 0 });
          const moved = (await ok(d, { type: 'ADVANCE', fd: 0, frames: HW.period_size })).value!;
          assert.ok(moved >= BigInt(HW.period_size) && moved < BigInt(BUFFER), `ADVANCE observed ${moved} frames`);
          const st = (await ok(d, { type: 'STATUS', fd: 0, ext: false })).status!;
          assert.equal(st.state, 'RUNNING');
          assert.equal(st.appl_ptr, BigInt(BUFFER));
          assert.equal(st.avail, st.hw_ptr + BigInt(BUFFER) - st.appl_ptr); // ring.avail.playback
          assert.equal(st.delay, BigInt(BUFFER) - st.avail); // pcm.delay.ok (no driver delay)
          // Without HWSYNC, SYNC_PTR and the pages show what STATUS just stored, unless a period
          // interrupt moved hw_ptr in between (it only moves forward).
          const sy = (await ok(d, { type: 'SYNC_PTR', fd: 0, flags: SYNC_PTR_FLAG.APPL | SYNC_PTR_FLAG.AVAIL_MIN, appl_ptr: 0n, avail_min: 0n, compat32: false })).sync!;
          const pk = (await ok(d, { type: 'PEEK', fd: 0 })).peek!;
          assert.equal(sy.appl_ptr, st.appl_ptr);
          assert.equal(pk.appl_ptr, st.appl_ptr);
          assert.equal(sy.avail_min, BigInt(HW.period_size));
          assert.ok(sy.hw_ptr >= st.hw_ptr && pk.hw_ptr >= sy.hw_ptr, `hw_ptr went back: ${st.hw_ptr} ${sy.hw_ptr} ${pk.hw_ptr}`);
          const s32 = (await ok(d, { type: 'SYNC_PTR', fd: 0, flags: SYNC_PTR_FLAG.APPL | SYNC_PTR_FLAG.AVAIL_MIN, appl_ptr: 0n, avail_min: 0n, compat32: true })).sync!;
          assert.equal(s32.appl_ptr, st.appl_ptr); // below the compat boundary: the same value
          assert.equal(s32.avail_min, BigInt(HW.period_size));
          // The queue plays out: a genuine underrun stops the stream in XRUN.
          await ok(d, { type: 'ADVANCE', fd: 0, frames: BUFFER * 2 });
          const end = (await ok(d, { type: 'STATUS', fd: 0, ext: false })).status!;
          assert.equal(end.state, 'XRUN');
          assert.ok(end.hw_ptr >= BigInt(BUFFER), `underrun at hw_ptr ${end.hw_ptr}`);
          await fails(d, { type: 'WRITEI', fd: 0, frames: 1 }, 'EPIPE'); // pcm.xfer.state
          await fails(d, { type: 'HWSYNC', fd: 0 }, 'EPIPE'); // pcm.hwsync.xrun
        });
      });

      it(device !== 'dummy' ? 'PAUSE stops the device and PAUSE release lets it move on' : 'PAUSE answers ENOSYS: the driver has no INFO_PAUSE', async () => {
        await session(async (d) => {
          await preparedPlayback(d, BUFFER, true, NEVER);
          await ok(d, { type: 'START', fd: 0 });
          if (device === 'dummy') {
            await fails(d, { type: 'PAUSE', fd: 0, push: true }, 'ENOSYS');
            assert.equal(await state(d), 'RUNNING');
            return;
          }
          await ok(d, { type: 'ADVANCE', fd: 0, frames: HW.period_size });
          await ok(d, { type: 'PAUSE', fd: 0, push: true });
          assert.equal(await state(d), 'PAUSED');
          const a = (await ok(d, { type: 'PEEK', fd: 0 })).peek!.hw_ptr;
          assert.equal((await ok(d, { type: 'ADVANCE', fd: 0, frames: HW.period_size })).value, 0n); // device.advance.stopped
          const st = (await ok(d, { type: 'STATUS', fd: 0, ext: false })).status!;
          assert.equal(st.hw_ptr, a);
          await fails(d, { type: 'PAUSE', fd: 0, push: true }, 'EBADFD'); // pcm.pause.bad-state
          await ok(d, { type: 'PAUSE', fd: 0, push: false });
          assert.equal(await state(d), 'RUNNING');
          assert.ok((await ok(d, { type: 'ADVANCE', fd: 0, frames: HW.period_size })).value! >= BigInt(HW.period_size));
        });
      });

      it('the XRUN ioctl stops a running stream in XRUN, succeeds again in XRUN, and PREPARE recovers', async () => {
        await session(async (d) => {
          await preparedPlayback(d, BUFFER);
          await fails(d, { type: 'XRUN', fd: 0 }, 'EBADFD'); // pcm.xrun.bad-state (PREPARED)
          await ok(d, { type: 'START', fd: 0 });
          await ok(d, { type: 'XRUN', fd: 0 });
          assert.equal(await state(d), 'XRUN');
          await ok(d, { type: 'XRUN', fd: 0 }); // pcm.xrun.already
          assert.equal((await ok(d, { type: 'ADVANCE', fd: 0, frames: HW.period_size })).value, 0n);
          await ok(d, { type: 'PREPARE', fd: 0 });
          const pk = (await ok(d, { type: 'PEEK', fd: 0 })).peek!;
          assert.deepEqual([pk.state, pk.hw_ptr, pk.appl_ptr], ['PREPARED', 0n, 0n]); // pcm.prepare.ok
        });
      });

      it('DRAIN: nonblocking answers EAGAIN while DRAINING; blocking waits until everything played and ends in SETUP', async () => {
        await session(async (d) => {
          await preparedPlayback(d, 2 * HW.period_size, true);
          await fails(d, { type: 'DRAIN', fd: 0 }, 'EAGAIN'); // pcm.drain.nonblock; PREPARED with data → DRAINING
          assert.equal(await state(d), 'DRAINING');
          await ok(d, { type: 'ADVANCE', fd: 0, frames: 4 * HW.period_size });
          const st = (await ok(d, { type: 'STATUS', fd: 0, ext: false })).status!;
          assert.equal(st.state, 'SETUP'); // ring.drain.complete
          assert.ok(st.hw_ptr >= 2n * BigInt(HW.period_size));
        });
        await session(async (d) => {
          await preparedPlayback(d, 2 * HW.period_size, false);
          await ok(d, { type: 'START', fd: 0 });
          const t = Date.now();
          await ok(d, { type: 'DRAIN', fd: 0 }); // pcm.drain.wait
          assert.equal(await state(d), 'SETUP');
          assert.ok(Date.now() - t < 5000);
        });
      });

      it(`SUSPEND (PM test mode) parks a running stream in SUSPENDED; ${device === 'hda' ? 'RESUME answers ENOSYS (no INFO_RESUME) and PREPARE recovers' : 'RESUME returns it to RUNNING'}`, async () => {
        await session(async (d) => {
          await preparedPlayback(d, BUFFER, true, NEVER);
          await ok(d, { type: 'START', fd: 0 });
          await ok(d, { type: 'SUSPEND' });
          const pk = (await ok(d, { type: 'PEEK', fd: 0 })).peek!;
          assert.deepEqual([pk.state, pk.suspended_state], ['SUSPENDED', 'RUNNING']); // device.suspend.ok
          await fails(d, { type: 'WRITEI', fd: 0, frames: 1 }, 'ESTRPIPE');
          await fails(d, { type: 'DELAY', fd: 0 }, 'ESTRPIPE'); // pcm.hwsync.suspended
          await fails(d, { type: 'DRAIN', fd: 0 }, 'EBADFD'); // pcm.drain.suspended
          if (device === 'hda') {
            await fails(d, { type: 'RESUME', fd: 0 }, 'ENOSYS'); // pcm.resume.no-support
            await ok(d, { type: 'PREPARE', fd: 0 }); // pcm.prepare.recover
            assert.equal(await state(d), 'PREPARED');
            return;
          }
          await ok(d, { type: 'RESUME', fd: 0 }); // dummy and aloop declare INFO_RESUME
          assert.equal(await state(d), 'RUNNING');
          assert.ok((await ok(d, { type: 'ADVANCE', fd: 0, frames: HW.period_size })).value! >= BigInt(HW.period_size));
        });
      });

      it('the mapped pages, CONTROL_WRITE, POLL, REWIND/FORWARD, CHANNEL_INFO and write(2) answer as the ABI says', async () => {
        await session(async (d) => {
          await ok(d, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
          const st0 = (await ok(d, { type: 'STATUS', fd: 0, ext: false })).status!;
          assert.deepEqual(st0, { state: 'OPEN', suspended_state: 'OPEN', appl_ptr: 0n, hw_ptr: 0n, delay: 0n, avail: 0n, avail_max: 0n }); // pcm.status.open
          await fails(d, { type: 'SYNC_PTR', fd: 0, flags: 0, appl_ptr: 5n, avail_min: 1n, compat32: false }, 'EINVAL'); // boundary 0 in a fresh OPEN
          await ok(d, { type: 'HW_PARAMS', fd: 0, params: { ...HW, access: 'MMAP_INTERLEAVED' } });
          await ok(d, { type: 'SW_PARAMS', fd: 0, params: sw(NEVER, BigInt(BUFFER)) });
          await ok(d, { type: 'PREPARE', fd: 0 });
          await ok(d, { type: 'MMAP', fd: 0, area: 'DATA' });
          await fails(d, { type: 'HW_FREE', fd: 0 }, 'EBADFD'); // pcm.hw-free.mmapped
          await fails(d, { type: 'CONTROL_WRITE', fd: 0, appl_ptr: 1n }, 'EFAULT'); // no control mapping yet
          await ok(d, { type: 'MMAP', fd: 0, area: 'CONTROL' });
          await ok(d, { type: 'CONTROL_WRITE', fd: 0, appl_ptr: 2048n });
          assert.equal((await ok(d, { type: 'PEEK', fd: 0 })).peek!.appl_ptr, 2048n);
          const st = (await ok(d, { type: 'STATUS', fd: 0, ext: true })).status!;
          assert.deepEqual([st.state, st.appl_ptr, st.avail, st.delay], ['PREPARED', 2048n, 2048n, 0n]);
          assert.equal((await ok(d, { type: 'DELAY', fd: 0 })).value, 2048n); // pcm.delay.ok reports it in PREPARED
          assert.equal((await ok(d, { type: 'POLL', fd: 0 })).value, 0x104n); // POLLOUT|POLLWRNORM: avail ≥ avail_min
          assert.equal((await ok(d, { type: 'REWIND', fd: 0, frames: 1000n })).value, 1000n);
          assert.equal((await ok(d, { type: 'FORWARD', fd: 0, frames: 100n })).value, 100n);
          assert.equal((await ok(d, { type: 'PEEK', fd: 0 })).peek!.appl_ptr, 1148n);
          await ok(d, { type: 'CHANNEL_INFO', fd: 0, channel: 1 });
          await fails(d, { type: 'CHANNEL_INFO', fd: 0, channel: 2 }, 'EINVAL');
          await fails(d, { type: 'WRITEI', fd: 0, frames: 1 }, 'EINVAL'); // pcm.xfer.access: MMAP access, 2 channels
          await ok(d, { type: 'MUNMAP', fd: 0, area: 'DATA' });
          await ok(d, { type: 'MUNMAP', fd: 0, area: 'CONTROL' });
          await ok(d, { type: 'HW_FREE', fd: 0 });
          assert.equal(await state(d), 'OPEN');
          await ok(d, { type: 'HW_PARAMS', fd: 0, params: HW });
          await ok(d, { type: 'PREPARE', fd: 0 });
          assert.equal((await ok(d, { type: 'WRITE', fd: 0, bytes: 4096 })).value, 4096n); // 1024 frames of 4 bytes
          await fails(d, { type: 'WRITE', fd: 0, bytes: 3 }, 'EINVAL'); // pcm.xfer.unaligned
          assert.equal((await ok(d, { type: 'WRITEI', fd: 0, frames: 0 })).value, 0n); // pcm.xfer.zero
          // pcm.close.deferred: a mapping keeps the substream after close.
          await ok(d, { type: 'MMAP', fd: 0, area: 'STATUS', prot: 'R' });
          await ok(d, { type: 'CLOSE', fd: 0 });
          await fails(d, { type: 'OPEN', fd: 1, stream: 'PLAYBACK', nonblock: true }, 'EBUSY');
          await ok(d, { type: 'MUNMAP', fd: 0, area: 'STATUS' });
          await ok(d, { type: 'OPEN', fd: 1, stream: 'PLAYBACK', nonblock: true });
          assert.equal(await state(d, 1), 'OPEN');
        });
      });

      if (device === 'hda') {
        it("QEMU's HDA output file holds what was played, byte for byte", async () => {
          // Half a second of the test pattern from a frame no earlier test plays (the WAV file holds
          // everything this VM played), then silence to push it through.
          const frames = 24000;
          const want = new Uint8Array(frames * 4);
          fillPattern(want, 1_000_000, 4);
          await session(async (d) => {
            await ok(d, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: false });
            await ok(d, { type: 'HW_PARAMS', fd: 0, params: HW });
            await ok(d, { type: 'SW_PARAMS', fd: 0, params: sw(BigInt(BUFFER), BigInt(BUFFER)) });
            await ok(d, { type: 'PREPARE', fd: 0 });
            assert.equal((await ok(d, { type: 'WRITEI', fd: 0, frames, data: want })).value, BigInt(frames));
            assert.equal((await ok(d, { type: 'WRITEI', fd: 0, frames: 12000, data: new Uint8Array(12000 * 4) })).value, 12000n);
            await ok(d, { type: 'DRAIN', fd: 0 });
          });
          const vm = await backend.machine();
          const wav = vm.readHdaWav().subarray(44);
          // The test pattern is quasi-periodic far apart (frame × 0x9e3779b1 has near-repeats), and
          // the file holds everything this VM played: try every place where the start recurs.
          const head = Buffer.from(want.subarray(0, 256));
          let at = -1;
          for (let i = wav.indexOf(head); i >= 0; i = wav.indexOf(head, i + 1)) {
            if (i % 4 === 0 && Buffer.from(want).equals(wav.subarray(i, i + want.length))) {
              at = i;
              break;
            }
          }
          assert.ok(at >= 0, `the ${frames} frames played are not in the ${wav.length}-byte output, byte for byte`);
        });
      }

      it('DISCONNECT (driver unbind): open files answer ENODEV, the status page shows DISCONNECTED, the node is gone, CLOSE works, and the next session has the card back', async () => {
        await session(async (d) => {
          await preparedPlayback(d, BUFFER);
          await ok(d, { type: 'START', fd: 0 });
          await ok(d, { type: 'DISCONNECT' });
          for (const cmd of [{ type: 'STATUS', fd: 0, ext: false }, { type: 'PVERSION', fd: 0 }, { type: 'PREPARE', fd: 0 }, { type: 'WRITEI', fd: 0, frames: 1 }] as Command[]) {
            await fails(d, cmd, 'ENODEV'); // device.disconnect.enodev
          }
          assert.equal(await state(d), 'DISCONNECTED');
          await fails(d, { type: 'OPEN', fd: 1, stream: 'CAPTURE', nonblock: true }, 'ENOENT');
          await ok(d, { type: 'CLOSE', fd: 0 });
        });
        await session(async (d) => {
          await ok(d, { type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
          assert.equal(await state(d), 'OPEN');
        });
      });

      if (device === 'aloop') {
        it('playback reaches capture through the loop bit-exact', async () => {
          await session(async (d) => {
            await ok(d, { type: 'OPEN', fd: 1, stream: 'CAPTURE', nonblock: true });
            await ok(d, { type: 'HW_PARAMS', fd: 1, params: HW });
            await ok(d, { type: 'SW_PARAMS', fd: 1, params: sw(NEVER, NEVER) });
            await ok(d, { type: 'PREPARE', fd: 1 });
            await preparedPlayback(d, BUFFER, true, NEVER);
            await ok(d, { type: 'LINK', fd: 0, other: 1 });
            await ok(d, { type: 'START', fd: 0 }); // the group starts together
            const want = new Uint8Array(BUFFER * 4);
            fillPattern(want, 0, 4);
            const got: Uint8Array[] = [];
            let n = 0;
            for (let i = 0; i < 50 && n < BUFFER; i++) {
              await ok(d, { type: 'ADVANCE', fd: 1, frames: HW.period_size });
              const r = await d.exec({ type: 'READI', fd: 1, frames: BUFFER - n });
              if (!r.ok && r.errno === 'EAGAIN') continue;
              if (!r.ok) assert.fail(show(r));
              got.push(r.data!);
              n += Number(r.value);
            }
            const all = Buffer.concat(got);
            assert.equal(n, BUFFER);
            assert.ok(Buffer.from(want).equals(all), 'captured frames differ from the played pattern');
          });
        });
      }
    });
  }
}
