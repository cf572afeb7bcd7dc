// The guest agent: runs inside the VM under the host's Node (reached read-only over 9p), speaks the
// JSON-lines protocol of spec/protocol.ts on stdin/stdout (the virtio-serial port /init hands it)
// and executes each command as raw syscalls on /dev/snd. Logs go to stderr, the serial console.
//   ALSA_SPEC_DEVICE   dummy | aloop | hda
//   ALSA_SPEC_MODULES  directory with <device>.order and the decompressed modules
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { PCM_IOCTL } from '../../../spec/abi/ioctl.ts';
import { PCM_VERSION } from '../../../spec/abi/ioctl.ts';
import type { StreamDir } from '../../../spec/abi/states.ts';
import type { DmaType } from '../../../spec/abi/memalloc.ts';
import type { BufferSetup, DeviceInfo, HwCaps, MemoryInfo, Outcome } from '../../../spec/device.ts';
import { PROTOCOL_VERSION, parseRequest, stringifyLine, type Request, type Response } from '../../../spec/protocol.ts';
import { decodeHwCaps, encodeHwParamsAny } from '../codec.ts';
import * as libc from './libc.ts';
import { procAccess, Session } from './session.ts';
import { GUEST_DEVICES, kernelRelease, loadModules, pcmNode, replug, waitCard, type GuestDevice, type GuestDeviceName } from './system.ts';

const log = (m: string) => process.stderr.write(`alsa-spec-agent: ${m}\n`);
const send = (msg: unknown) => process.stdout.write(`${stringifyLine(msg)}\n`);

/** What each direction offers: HW_REFINE of the whole parameter space on a fresh file. */
function probeCaps(dev: GuestDevice): Partial<Record<StreamDir, HwCaps>> {
  const out: Partial<Record<StreamDir, HwCaps>> = {};
  for (const s of ['PLAYBACK', 'CAPTURE'] as const) {
    const path = pcmNode(dev, s);
    if (!path) continue;
    const fd = libc.open(path, libc.O_RDWR | libc.O_NONBLOCK | libc.O_CLOEXEC);
    if (!fd.ok) continue; // ENOENT: the card has no such direction
    const b = encodeHwParamsAny();
    const r = libc.ioctlPtr(fd.value, PCM_IOCTL.HW_REFINE, b);
    libc.close(fd.value);
    if (!r.ok) throw new Error(`HW_REFINE of the whole space on ${path}: errno ${r.raw}`);
    out[s] = decodeHwCaps(b);
  }
  return out;
}

const MAX_ALLOC = '/sys/module/snd_pcm/parameters/max_alloc_per_card';
/** The card limit set for snd-dummy and snd-aloop, whose buffers are allocated on demand: small, so
 * that a second 64 KiB buffer meets ENOMEM (buffer.hw-params.enomem), as the ring core's dummy
 * profile has it, while two 32 KiB buffers (the data tests' loopback on a real device) fit.
 * HDA's preallocation is charged at probe, before the agent runs: left alone. */
const SMALL_CARD_LIMIT = 96 * 1024;

/** How the driver sets up its buffers (snd_pcm_set_managed_buffer_all() in dummy.c with
 * fake_buffer=0, aloop.c, hda/common/controller.c), with the preallocation and maximum the proc
 * files show, and the card limit snd_pcm's parameter sets. */
function memoryOf(dev: GuestDevice): MemoryInfo {
  const type: DmaType = { dummy: 'CONTINUOUS', aloop: 'VMALLOC', hda: 'DEV_SG' }[dev.name] as DmaType;
  const buffers: Partial<Record<StreamDir, BufferSetup>> = {};
  const kib = (o: Outcome) => (o.ok && o.text !== undefined ? Number.parseInt(o.text, 10) * 1024 : 0); // no file: 0
  for (const stream of Object.keys(dev.pcm) as StreamDir[]) {
    buffers[stream] = {
      managed: true, type,
      size: kib(procAccess(dev, { type: 'PROC_READ', stream, file: 'prealloc' })),
      max: kib(procAccess(dev, { type: 'PROC_READ', stream, file: 'prealloc_max' })),
    };
  }
  const limit = Number(readFileSync(MAX_ALLOC, 'utf8').trim());
  return { buffers, maxAllocPerCard: limit };
}

function pversionOf(dev: GuestDevice): number {
  const path = pcmNode(dev, dev.pcm.PLAYBACK !== undefined ? 'PLAYBACK' : 'CAPTURE')!;
  const fd = libc.open(path, libc.O_RDWR | libc.O_NONBLOCK | libc.O_CLOEXEC);
  if (!fd.ok) throw new Error(`open ${path}: errno ${fd.raw}`);
  const b = new Uint8Array(4);
  libc.ioctlPtr(fd.value, PCM_IOCTL.PVERSION, b);
  libc.close(fd.value);
  return new DataView(b.buffer).getInt32(0, true);
}

async function main(): Promise<void> {
  const name = process.env.ALSA_SPEC_DEVICE as GuestDeviceName;
  const dev = GUEST_DEVICES[name];
  if (!dev) throw new Error(`ALSA_SPEC_DEVICE=${name}: not one of ${Object.keys(GUEST_DEVICES).join(', ')}`);
  const modulesDir = process.env.ALSA_SPEC_MODULES;
  if (!modulesDir) throw new Error('ALSA_SPEC_MODULES is not set');
  const modules = loadModules(modulesDir, dev);
  await waitCard(dev, 10000);
  if (dev.name !== 'hda') writeFileSync(MAX_ALLOC, `${SMALL_CARD_LIMIT}\n`);
  const release = kernelRelease();
  const kernel = release.startsWith('6.1') ? '6.1' : release.startsWith('7.2') ? '7.2' : release.split('.').slice(0, 2).join('.');
  const pversion = pversionOf(dev);
  const info: DeviceInfo = {
    backend: 'kernel',
    device: dev.name,
    kernel,
    follows: kernel === '6.1' ? '6.1' : '7.2',
    streams: probeCaps(dev),
    loopback: dev.loopback,
    virtualClock: false,
    memory: memoryOf(dev),
  };
  const locked = libc.lockMappedFiles(readFileSync('/proc/self/maps', 'utf8'));
  log(`ready: ${release}, ${dev.name} (${modules.join(' ')}), PCM protocol ${pversion.toString(16)}, ${(locked / 2 ** 20).toFixed(0)} MiB of mapped files locked`);
  send({ hello: { protocol: PROTOCOL_VERSION, implementation: 'alsa-spec kernel agent', release, kernel, device: dev.name, pversion, expectedPversion: PCM_VERSION[kernel as '7.2'] ?? null } });

  let session: Session | null = null;
  const end = async (s: Session | null) => {
    if (!s) return;
    s.closeAll();
    if (s.unplugged) {
      const { device, done } = s.unplugged;
      await Promise.race([done, new Promise((_, rej) => setTimeout(() => rej(new Error('unbind did not finish within 10 s of the last close')), 10000))]);
      await replug(dev, device);
    }
  };
  const answer = async (req: Request): Promise<Response> => {
    if ('op' in req) {
      if (req.op === 'open') {
        await end(session);
        session = new Session(dev, pversion);
        return { id: req.id, info };
      }
      await end(session);
      session = null;
      return { id: req.id, done: true };
    }
    if (!session) return { id: req.id, error: 'no session: send {"op":"open"} first' };
    return { id: req.id, outcome: await session.exec(req.cmd) };
  };
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    let id = -1;
    let shutdown = false;
    try {
      const req = parseRequest(line);
      id = req.id;
      shutdown = 'op' in req && req.op === 'shutdown';
      send(await answer(req));
    } catch (e) {
      log(`request ${id} failed: ${(e as Error).stack ?? String(e)}`);
      send({ id, error: (e as Error).message });
    }
    if (shutdown) break;
  }
  process.exit(0);
}

main().catch((e: unknown) => {
  log(`fatal: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
