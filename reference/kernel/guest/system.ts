// What the guest system does around the PCM files: load the device's modules, find its device
// nodes, suspend the system (PM test mode), unplug the card (driver unbind) and plug it back.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { StreamDir } from '../../../spec/abi/states.ts';
import { finitModule } from './libc.ts';

export type GuestDeviceName = 'dummy' | 'aloop' | 'hda';

export interface GuestDevice {
  name: GuestDeviceName;
  /** Module parameters, by module name. */
  params: Record<string, string>;
  /** The driver whose device is unbound to unplug the card. */
  driver: string;
  /** PCM device number of each direction: aloop loops device 0's playback into device 1's capture. */
  pcm: Partial<Record<StreamDir, number>>;
  loopback: boolean;
}

export const GUEST_DEVICES: Record<GuestDeviceName, GuestDevice> = {
  // fake_buffer=0: real, managed buffers; one substream per direction, as the model assumes.
  dummy: { name: 'dummy', params: { snd_dummy: 'fake_buffer=0 pcm_substreams=1' }, driver: '/sys/bus/platform/drivers/snd_dummy', pcm: { PLAYBACK: 0, CAPTURE: 0 }, loopback: false },
  aloop: { name: 'aloop', params: { snd_aloop: 'pcm_substreams=1' }, driver: '/sys/bus/platform/drivers/snd_aloop', pcm: { PLAYBACK: 0, CAPTURE: 1 }, loopback: true },
  // QEMU's hda-output codec has an output only.
  hda: { name: 'hda', params: {}, driver: '/sys/bus/pci/drivers/snd_hda_intel', pcm: { PLAYBACK: 0 }, loopback: false },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Loads `<modulesDir>/<device>.order` in order; an already loaded module is fine. */
export function loadModules(modulesDir: string, dev: GuestDevice): string[] {
  const order = readFileSync(join(modulesDir, `${dev.name}.order`), 'utf8').split('\n').filter(Boolean);
  for (const m of order) {
    const r = finitModule(join(modulesDir, `${m}.ko`), dev.params[m] ?? '');
    if (!r.ok && r.raw !== 17 /* EEXIST */) throw new Error(`finit_module(${m}): errno ${r.raw}`);
  }
  return order;
}

/** The device node of a direction, e.g. /dev/snd/pcmC0D1c, or null when the card has none. */
export function pcmNode(dev: GuestDevice, stream: StreamDir): string | null {
  const d = dev.pcm[stream];
  if (d === undefined) return null;
  const suffix = stream === 'PLAYBACK' ? 'p' : 'c';
  let names: string[] = [];
  try {
    names = readdirSync('/dev/snd');
  } catch { /* no sound device at all */ }
  const hit = names.find((n) => new RegExp(`^pcmC\\d+D${d}${suffix}$`).test(n));
  // With no card (after an unplug) the node of card 0 is named anyway: opening it answers ENOENT.
  return `/dev/snd/${hit ?? `pcmC0D${d}${suffix}`}`;
}

/** True when the card's device nodes exist (it is bound and registered). */
export function cardPresent(dev: GuestDevice): boolean {
  return Object.keys(dev.pcm).every((s) => {
    const n = pcmNode(dev, s as StreamDir);
    return n !== null && existsSync(n);
  });
}

export async function waitCard(dev: GuestDevice, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cardPresent(dev)) {
    if (Date.now() > end) throw new Error(`${dev.name}: no PCM device nodes in /dev/snd after ${ms} ms`);
    await sleep(20);
  }
}

/** The bound devices of the driver (its symlinks such as snd_dummy.0 or 0000:00:04.0). */
function boundDevices(dev: GuestDevice): string[] {
  try {
    return readdirSync(dev.driver).filter((n) => /^(snd_\w+\.\d+|[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-9a-f])$/.test(n));
  } catch {
    return [];
  }
}

/**
 * Unplugs the card: writes the device to the driver's unbind file from a worker thread, because the
 * write returns only when every open file of the card is closed. The card is disconnected at once;
 * `done` settles when the unbind completes.
 */
export function unplug(dev: GuestDevice): { device: string; done: Promise<void> } {
  const device = boundDevices(dev)[0];
  if (!device) throw new Error(`${dev.name}: no device bound to ${dev.driver}`);
  const w = new Worker("require('node:fs').writeFileSync(require('node:worker_threads').workerData.path, require('node:worker_threads').workerData.value)", {
    eval: true,
    workerData: { path: join(dev.driver, 'unbind'), value: device },
  });
  const done = new Promise<void>((resolve, reject) => {
    w.once('error', reject);
    w.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`unbind worker exited ${code}`))));
  });
  return { device, done };
}

/** Plugs the card back in: binds the device to its driver again and waits for the nodes. */
export async function replug(dev: GuestDevice, device: string): Promise<void> {
  if (!boundDevices(dev).includes(device)) writeFileSync(join(dev.driver, 'bind'), device);
  await waitCard(dev, 5000);
}

/**
 * A system suspend and wake-up without real sleep: the kernel's PM test mode runs every device's
 * suspend and resume callbacks (snd_pcm_suspend_all included) and returns after pm_test_delay.
 */
export function suspendResume(): void {
  // The test mode's pause between suspend and resume (default 5 s) adds nothing to what we observe.
  if (existsSync(PM_TEST_DELAY)) writeFileSync(PM_TEST_DELAY, '0');
  writeFileSync('/sys/power/pm_test', 'devices');
  writeFileSync('/sys/power/state', 'freeze');
}

const PM_TEST_DELAY = '/sys/module/suspend/parameters/pm_test_delay';
export const canSuspend = () => existsSync('/sys/power/pm_test');
export const kernelRelease = () => readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
