// The guest's initramfs: busybox, /init (guest/init.sh) and the decompressed modules each device
// needs, in an order resolved from the modules' own `depends=`.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  FORMAT, INIT_SH, KERNEL_DEVICES, SetupError, findFiles, initHash, readProvisioned, run,
  type KernelDeviceName, type KernelVersion, type Manifest, type Provisioned,
} from './cache.ts';

/** Modules /init loads before it can reach the host (those built into the kernel are skipped). */
const BASE_MODULES = ['virtio_pci', 'virtio_console', '9pnet_virtio', '9p'];
/** Modules each device needs, in load order (dependencies are added before each). The HDA generic
 * codec goes before the controller so that the codec probe finds its driver. */
export const DEVICE_MODULES: Record<KernelDeviceName, string[]> = {
  dummy: ['snd_dummy'],
  aloop: ['snd_aloop'],
  hda: ['snd_hda_codec_generic', 'snd_hda_intel'],
};

/** busybox-static's binary: the initramfs has no dynamic loader. */
export function staticBusybox(): string | null {
  for (const p of ['/bin/busybox', '/usr/bin/busybox']) {
    if (existsSync(p) && !elfHasInterpreter(p)) return p;
  }
  return null;
}

/** True when the ELF file at `path` has a PT_INTERP program header (it is dynamically linked). */
function elfHasInterpreter(path: string): boolean {
  const b = readFileSync(path);
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2) return true;
  const phoff = Number(b.readBigUInt64LE(0x20)), phentsize = b.readUInt16LE(0x36), phnum = b.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) if (b.readUInt32LE(phoff + i * phentsize) === 3) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Modules and the initramfs

const modName = (file: string) => basename(file).replace(/\.ko(\.xz|\.zst|\.gz)?$/, '').replace(/-/g, '_');

function decompress(file: string): Buffer {
  if (file.endsWith('.xz')) return run('xz', ['-dc', file]);
  if (file.endsWith('.zst')) return run('zstd', ['-dcq', file]);
  if (file.endsWith('.gz')) return run('gzip', ['-dc', file]);
  return readFileSync(file);
}

/** The `depends=` entry of a module's .modinfo section (NUL-separated key=value strings). */
export function moduleDepends(ko: Buffer): string[] {
  const key = Buffer.from('\0depends=');
  const at = ko.indexOf(key);
  if (at < 0) return [];
  const start = at + key.length, end = ko.indexOf(0, start);
  const s = ko.subarray(start, end).toString();
  return s ? s.split(',').map((d) => d.replace(/-/g, '_')) : [];
}

/**
 * Builds <dir>/{vmlinuz, modules/, initramfs.cpio.gz, manifest.json} from a kernel image and a
 * modules directory (containing kernel/...). Modules are decompressed; each device's load order
 * lists its dependencies first, as read from the modules' own `depends=`.
 */
export function buildKernelDir(
  dir: string, kernel: KernelVersion | 'custom', release: string, vmlinuz: string, modulesDir: string,
  packages: string[], log: (m: string) => void,
): Provisioned {
  const busybox = staticBusybox();
  if (!busybox) throw new SetupError('no static busybox: install busybox-static');
  rmSync(dir, { recursive: true, force: true });
  const modOut = join(dir, 'modules');
  mkdirSync(modOut, { recursive: true });
  copyFileSync(vmlinuz, join(dir, 'vmlinuz'));

  const byName = new Map<string, string>();
  for (const f of findFiles(modulesDir, (p) => /\.ko(\.xz|\.zst|\.gz)?$/.test(p))) byName.set(modName(f), f);
  const loaded = new Map<string, string[]>(); // name -> depends
  const load = (name: string): boolean => {
    if (loaded.has(name)) return true;
    const f = byName.get(name);
    if (!f) return false; // built into the kernel (the guest checks the feature itself)
    const ko = decompress(f);
    writeFileSync(join(modOut, `${name}.ko`), ko);
    const deps = moduleDepends(ko);
    loaded.set(name, deps);
    for (const d of deps) if (!load(d)) throw new SetupError(`${name} depends on ${d}, which is not in ${modulesDir}`);
    return true;
  };
  const order = (roots: string[]): string[] => {
    const out: string[] = [];
    const visit = (n: string) => {
      if (out.includes(n) || !loaded.has(n)) return;
      for (const d of loaded.get(n)!) visit(d);
      out.push(n);
    };
    roots.forEach(visit);
    return out;
  };
  for (const m of BASE_MODULES) load(m);
  writeFileSync(join(modOut, 'base.order'), order(BASE_MODULES).join('\n') + '\n');
  const baseSet = new Set(order(BASE_MODULES));
  const devices: KernelDeviceName[] = [];
  for (const dev of KERNEL_DEVICES) {
    const roots = DEVICE_MODULES[dev];
    if (!roots.every((m) => load(m))) {
      log(`  ${dev}: modules ${roots.join(', ')} not found, device left out`);
      continue;
    }
    writeFileSync(join(modOut, `${dev}.order`), order(roots).filter((m) => !baseSet.has(m)).join('\n') + '\n');
    devices.push(dev);
  }
  log(`  ${loaded.size} modules: ${[...loaded.keys()].join(' ')}`);
  // Kept beside, not loaded: the compress-offload core, whose exports say whether the kernel was
  // built with the accel API (conformance/accel/kernel.ts probeAccelModule).
  const compress = byName.get('snd_compress');
  if (compress) {
    mkdirSync(join(dir, 'probe'), { recursive: true });
    writeFileSync(join(dir, 'probe', 'snd_compress.ko'), decompress(compress));
  }

  buildInitramfs(dir, busybox);
  const manifest: Manifest = { format: FORMAT, kernel, release, packages, devices, init: initHash(), built: new Date().toISOString() };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return {
    kernel, release, dir, vmlinuz: join(dir, 'vmlinuz'), initramfs: join(dir, 'initramfs.cpio.gz'), devices, packages, seconds: 0,
  };
}

/** Packs /init, /bin/busybox, /modules and the mount points /init needs into <dir>/initramfs.cpio.gz. */
function buildInitramfs(dir: string, busybox: string): void {
  const modOut = join(dir, 'modules');
  const tree = mkdtempSync(join(dirname(dir), `.initramfs-`));
  try {
    for (const d of ['bin', 'dev', 'proc', 'sys', 'host', 'tmp']) mkdirSync(join(tree, d));
    copyFileSync(busybox, join(tree, 'bin', 'busybox'));
    copyFileSync(INIT_SH, join(tree, 'init'));
    execFileSync('chmod', ['755', join(tree, 'init'), join(tree, 'bin', 'busybox')]);
    execFileSync('cp', ['-a', modOut, join(tree, 'modules')]);
    const list = execFileSync('find', ['.', '-mindepth', '1'], { cwd: tree });
    const cpio = run('cpio', ['-o', '-H', 'newc', '--quiet', '-R', '0:0'], { cwd: tree, input: list });
    writeFileSync(join(dir, 'initramfs.cpio.gz'), gzipSync(cpio));
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

/** An existing kernel directory whose only stale part is /init: rebuild the initramfs alone. */
export function refreshInitramfs(dir: string, log: (m: string) => void): Provisioned | null {
  const mf = join(dir, 'manifest.json'), busybox = staticBusybox();
  if (!existsSync(mf) || !existsSync(join(dir, 'modules', 'base.order')) || !existsSync(join(dir, 'vmlinuz')) || !busybox) return null;
  const m = JSON.parse(readFileSync(mf, 'utf8')) as Manifest;
  if (m.format !== FORMAT) return null;
  log(`kernel ${m.kernel}: /init changed, rebuilding the initramfs`);
  buildInitramfs(dir, busybox);
  writeFileSync(mf, JSON.stringify({ ...m, init: initHash() }, null, 2) + '\n');
  return readProvisioned(dir);
}
