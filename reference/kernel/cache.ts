// The cache layout of the real-kernel backend and what a provisioned kernel is: shared by the
// provisioning (setup.ts), the initramfs builder (initramfs.ts) and the VM runner (vm.ts).
//   <cache>/kernel/<kernel>/{vmlinuz, modules/, initramfs.cpio.gz, manifest.json}
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type KernelVersion = '7.2' | '6.1';
export const KERNEL_VERSIONS: readonly KernelVersion[] = ['7.2', '6.1'];
export type KernelDeviceName = 'dummy' | 'aloop' | 'hda';
export const KERNEL_DEVICES: readonly KernelDeviceName[] = ['dummy', 'aloop', 'hda'];

/** Bumped when the layout or the initramfs changes in a way an old cache does not have. */
export const FORMAT = 3; // 3: probe/snd_compress.ko beside the modules

export interface Provisioned {
  kernel: KernelVersion | 'custom';
  release: string;
  dir: string;
  vmlinuz: string;
  initramfs: string;
  /** Modules per device that this initramfs can load. */
  devices: KernelDeviceName[];
  packages: string[];
  /** Seconds this call spent on this kernel (0 when it was already provisioned). */
  seconds: number;
}

/** A failure with a message that says what to do; the CLI prints it without a stack. */
export class SetupError extends Error {
  override name = 'SetupError';
}

export function cacheRoot(cacheDir?: string): string {
  return cacheDir ?? process.env.ALSA_SPEC_CACHE ?? join(homedir(), '.cache', 'alsa-spec');
}

export function kernelDir(kernel: KernelVersion, cacheDir?: string): string {
  return join(cacheRoot(cacheDir), 'kernel', kernel);
}

export const INIT_SH = fileURLToPath(new URL('./guest/init.sh', import.meta.url));
export const initHash = () => createHash('sha256').update(readFileSync(INIT_SH)).digest('hex').slice(0, 16);

export interface Manifest {
  format: number;
  kernel: KernelVersion | 'custom';
  release: string;
  packages: string[];
  devices: KernelDeviceName[];
  init: string;
  built: string;
}

/** What is provisioned in a kernel directory (e.g. the `custom-*` one of --kernel-image), or null. */
export function provisionedAt(dir: string): Provisioned | null {
  return readProvisioned(dir);
}

/** What is provisioned for `kernel`, or null when something is missing or stale. */
export function findProvisioned(kernel: KernelVersion, cacheDir?: string): Provisioned | null {
  return readProvisioned(kernelDir(kernel, cacheDir));
}

export function readProvisioned(dir: string): Provisioned | null {
  const mf = join(dir, 'manifest.json');
  if (!existsSync(mf)) return null;
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(mf, 'utf8')) as Manifest;
  } catch {
    return null;
  }
  const vmlinuz = join(dir, 'vmlinuz'), initramfs = join(dir, 'initramfs.cpio.gz');
  if (m.format !== FORMAT || m.init !== initHash() || !existsSync(vmlinuz) || !existsSync(initramfs)) return null;
  return { kernel: m.kernel, release: m.release, dir, vmlinuz, initramfs, devices: m.devices, packages: m.packages, seconds: 0 };
}

export function which(cmd: string): string | null {
  for (const d of (process.env.PATH ?? '/usr/bin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    const p = join(d, cmd);
    try {
      if (statSync(p).isFile()) return p;
    } catch { /* not here */ }
  }
  return null;
}

export function run(cmd: string, args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; input?: Buffer } = {}): Buffer {
  const r = spawnSync(cmd, args, { cwd: o.cwd, env: o.env, input: o.input, maxBuffer: 1 << 30 });
  if (r.error) throw new SetupError(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    const err = r.stderr.toString().trim().split('\n').slice(-5).join('\n');
    throw new SetupError(`\`${cmd} ${args.join(' ')}\` failed (exit ${r.status}):\n${err}`);
  }
  return r.stdout;
}

export function findFiles(dir: string, pred: (p: string) => boolean, dirs = false): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (dirs && pred(p)) out.push(p);
        walk(p);
      } else if (!dirs && pred(p)) out.push(p);
    }
  };
  walk(dir);
  return out;
}
