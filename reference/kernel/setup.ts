// Provisioning for the real-kernel backend (`alsa-spec kernel setup`): QEMU and busybox from the
// machine's apt, Debian kernel images and modules fetched with `apt-get download` through a private
// sources list (the system's apt configuration is never changed; its mirror is read from it), and
// one initramfs per kernel holding busybox, /init and the modules each device needs.
//
// Layout under <cache>/kernel (cache: ALSA_SPEC_CACHE or ~/.cache/alsa-spec):
//   debs/                 downloaded packages (kept: a rebuild needs no download)
//   apt-<suite>/          private apt state (sources.list, lists, archives)
//   <kernel>/vmlinuz      the kernel image
//   <kernel>/modules/     decompressed modules + base.order and <device>.order (load order)
//   <kernel>/initramfs.cpio.gz
//   <kernel>/manifest.json  what was built from what; its presence means "provisioned"
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export type KernelVersion = '7.2' | '6.1';
export const KERNEL_VERSIONS: readonly KernelVersion[] = ['7.2', '6.1'];
export type KernelDeviceName = 'dummy' | 'aloop' | 'hda';
export const KERNEL_DEVICES: readonly KernelDeviceName[] = ['dummy', 'aloop', 'hda'];

/** Debian suite each kernel comes from. */
const SUITE: Record<KernelVersion, string> = { '7.2': 'trixie-backports', '6.1': 'bookworm' };

/** Modules /init loads before it can reach the host (those built into the kernel are skipped). */
const BASE_MODULES = ['virtio_pci', 'virtio_console', '9pnet_virtio', '9p'];
/** Modules each device needs, in load order (dependencies are added before each). The HDA generic
 * codec goes before the controller so that the codec probe finds its driver. */
export const DEVICE_MODULES: Record<KernelDeviceName, string[]> = {
  dummy: ['snd_dummy'],
  aloop: ['snd_aloop'],
  hda: ['snd_hda_codec_generic', 'snd_hda_intel'],
};

/** Bumped when the layout or the initramfs changes in a way an old cache does not have. */
const FORMAT = 2;
const APT_PACKAGES = { qemu: 'qemu-system-x86', busybox: 'busybox-static', cpio: 'cpio' } as const;

export interface KernelSetupOptions {
  /** Cache root; default ALSA_SPEC_CACHE or ~/.cache/alsa-spec. */
  cacheDir?: string;
  kernels?: readonly KernelVersion[];
  /** Use this kernel image instead of Debian's (with `modules`). Built under <cache>/kernel/custom-<hash>. */
  kernelImage?: string;
  /** A modules directory (lib/modules/<release>) for `kernelImage`. */
  modules?: string;
  /** Progress messages; default: stderr. */
  log?: (msg: string) => void;
}

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

const INIT_SH = fileURLToPath(new URL('./guest/init.sh', import.meta.url));
const initHash = () => createHash('sha256').update(readFileSync(INIT_SH)).digest('hex').slice(0, 16);

interface Manifest {
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

function readProvisioned(dir: string): Provisioned | null {
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

/** Why the real-kernel backend cannot be provisioned on this machine, or null when it can. */
export function cannotProvision(): string | null {
  if (process.platform !== 'linux' || process.arch !== 'x64') return `the kernel backend needs Linux on x86_64 (this is ${process.platform}/${process.arch})`;
  const missing = missingTools();
  if (missing.length === 0) return null;
  if (process.getuid?.() !== 0) return `missing ${missing.join(', ')} and not root: run \`sudo apt-get install ${missing.join(' ')}\`, then \`alsa-spec kernel setup\``;
  if (!which('apt-get')) return `missing ${missing.join(', ')} and no apt-get: install them with your package manager`;
  return null;
}

/** Provisions every kernel asked for; returns what is ready. Idempotent; concurrent calls on one
 * cache directory take turns. */
export async function kernelSetup(opts: KernelSetupOptions = {}): Promise<Provisioned[]> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const release = await lock(join(cacheRoot(opts.cacheDir), 'kernel', '.setup-lock'), log);
  try {
    return setupLocked(opts, log);
  } finally {
    release();
  }
}

/** A lock directory; one older than 30 minutes is taken as left behind by a killed run. */
async function lock(path: string, log: (m: string) => void): Promise<() => void> {
  mkdirSync(dirname(path), { recursive: true });
  const end = Date.now() + 15 * 60_000;
  for (let said = false; ; said = true) {
    try {
      mkdirSync(path);
      return () => rmSync(path, { recursive: true, force: true });
    } catch {
      try {
        if (Date.now() - statSync(path).mtimeMs > 30 * 60_000) rmSync(path, { recursive: true, force: true });
      } catch { /* gone meanwhile */ }
    }
    if (Date.now() > end) throw new SetupError(`another kernel setup holds ${path} for 15 minutes: remove it if no setup runs`);
    if (!said) log(`waiting for another kernel setup (${path})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function setupLocked(opts: KernelSetupOptions, log: (m: string) => void): Provisioned[] {
  ensureTools(log);
  if (opts.kernelImage || opts.modules) {
    if (!opts.kernelImage || !opts.modules) throw new SetupError('--kernel-image and --modules go together: the image and the modules directory (lib/modules/<release>) it was built with');
    return [buildCustom(opts.kernelImage, opts.modules, cacheRoot(opts.cacheDir), log)];
  }
  const out: Provisioned[] = [];
  for (const k of opts.kernels ?? KERNEL_VERSIONS) {
    const have = findProvisioned(k, opts.cacheDir);
    if (have) {
      log(`kernel ${k}: ready (${have.release}) in ${have.dir}`);
      out.push(have);
      continue;
    }
    const refreshed = refreshInitramfs(kernelDir(k, opts.cacheDir), log);
    if (refreshed) {
      out.push(refreshed);
      continue;
    }
    out.push(provisionDebian(k, cacheRoot(opts.cacheDir), log));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Host tools

function which(cmd: string): string | null {
  for (const d of (process.env.PATH ?? '/usr/bin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    const p = join(d, cmd);
    try {
      if (statSync(p).isFile()) return p;
    } catch { /* not here */ }
  }
  return null;
}

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

function missingTools(): string[] {
  const missing: string[] = [];
  if (!which('qemu-system-x86_64')) missing.push(APT_PACKAGES.qemu);
  if (!staticBusybox()) missing.push(APT_PACKAGES.busybox);
  if (!which('cpio')) missing.push(APT_PACKAGES.cpio);
  return missing;
}

function ensureTools(log: (m: string) => void): void {
  const missing = missingTools();
  if (missing.length === 0) return;
  const why = cannotProvision();
  if (why) throw new SetupError(why);
  log(`installing ${missing.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
  const still = missingTools();
  if (still.length) throw new SetupError(`apt-get did not install ${still.join(', ')}: install them by hand`);
}

function run(cmd: string, args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; input?: Buffer } = {}): Buffer {
  const r = spawnSync(cmd, args, { cwd: o.cwd, env: o.env, input: o.input, maxBuffer: 1 << 30 });
  if (r.error) throw new SetupError(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    const err = r.stderr.toString().trim().split('\n').slice(-5).join('\n');
    throw new SetupError(`\`${cmd} ${args.join(' ')}\` failed (exit ${r.status}):\n${err}`);
  }
  return r.stdout;
}

// ---------------------------------------------------------------------------------------------
// Debian packages through a private apt configuration

/** The Debian mirror of this machine's own apt configuration. */
export function debianMirror(): string {
  const tries: [string, RegExp][] = [
    ['/etc/apt/sources.list.d/debian.sources', /^URIs:\s*(\S+)/m],
    ['/etc/apt/sources.list', /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+/m],
  ];
  for (const [file, re] of tries) {
    try {
      const m = re.exec(readFileSync(file, 'utf8'));
      if (m?.[1]) return m[1];
    } catch { /* absent */ }
  }
  throw new SetupError('no Debian mirror in this machine\'s apt configuration (/etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list): add one, or point at your own kernel with --kernel-image and --modules');
}

class PrivateApt {
  readonly dir: string;
  constructor(root: string, readonly suite: string, mirror: string) {
    this.dir = join(root, 'kernel', `apt-${suite}`);
    mkdirSync(join(this.dir, 'lists', 'partial'), { recursive: true });
    mkdirSync(join(this.dir, 'archives', 'partial'), { recursive: true });
    writeFileSync(join(this.dir, 'sources.list'), `deb ${mirror} ${suite} main\n`);
  }
  private opts(): string[] {
    return [
      '-o', `Dir::Etc::SourceList=${join(this.dir, 'sources.list')}`, '-o', 'Dir::Etc::SourceParts=/dev/null',
      '-o', `Dir::State::Lists=${join(this.dir, 'lists')}`, '-o', `Dir::Cache=${this.dir}`,
      '-o', 'APT::Sandbox::User=root', '-o', 'Debug::NoLocking=1',
    ];
  }
  update(): void {
    run('apt-get', [...this.opts(), 'update', '-qq']);
  }
  cache(...args: string[]): string {
    return run('apt-cache', [...this.opts(), ...args]).toString();
  }
  download(pkgs: string[], into: string): void {
    run('apt-get', [...this.opts(), 'download', ...pkgs], { cwd: into });
  }
}

/** Newest `linux-image-<ver>.*-amd64` of the generic flavour (not cloud, rt, dbg or unsigned). */
function newestImage(apt: PrivateApt, ver: KernelVersion): string {
  const names = apt.cache('pkgnames', `linux-image-${ver}`).split('\n')
    .filter((n) => /^linux-image-\d[\w.+~-]*-amd64$/.test(n) && !/-(cloud|rt)-amd64$/.test(n));
  if (names.length === 0) throw new SetupError(`no linux-image-${ver}.*-amd64 in ${apt.suite}: is the mirror's ${apt.suite} suite reachable?`);
  const versionOf = (n: string) => /Version:\s*(\S+)/.exec(apt.cache('show', n))?.[1] ?? '0';
  const withVer = names.map((n) => ({ n, v: versionOf(n) }));
  withVer.sort((a, b) => (spawnSync('dpkg', ['--compare-versions', a.v, 'lt', b.v]).status === 0 ? -1 : 1));
  return withVer[withVer.length - 1]!.n;
}

function provisionDebian(kernel: KernelVersion, root: string, log: (m: string) => void): Provisioned {
  const t0 = Date.now();
  if (process.getuid?.() !== 0) throw new SetupError(`kernel ${kernel} is not provisioned and apt-get download needs root here: run \`sudo alsa-spec kernel setup\` once, or use --kernel-image/--modules`);
  if (!which('apt-get') || !which('dpkg-deb')) throw new SetupError('apt-get and dpkg-deb are needed to fetch Debian kernels: on another system use --kernel-image and --modules');
  const mirror = debianMirror();
  const apt = new PrivateApt(root, SUITE[kernel], mirror);
  const network = (what: string, e: unknown) => new SetupError(
    `kernel ${kernel}: ${what} failed: ${(e as Error).message}\n` +
    `What to do: check that this machine reaches the Debian mirror of its apt configuration (${mirror}, suite ${apt.suite}), ` +
    'then run `alsa-spec kernel setup` again; or point at your own kernel with --kernel-image and --modules.');
  log(`kernel ${kernel}: apt-get update (${apt.suite}, private sources list)`);
  try {
    apt.update();
  } catch (e) {
    throw network('apt-get update', e);
  }
  const image = newestImage(apt, kernel);
  const release = image.replace(/^linux-image-/, '');
  // The image package itself, and those of its dependencies that carry this release (7.2 splits the
  // image into linux-binary-* and linux-modules-*; 6.1 has both in the image package).
  const depends = /^Depends:\s*(.*)$/m.exec(apt.cache('show', image))?.[1] ?? '';
  const pkgs = [image, ...depends.split(',').map((d) => d.trim().split(/\s|\|/)[0]!).filter((d) => d.includes(release))];
  const debs = join(root, 'kernel', 'debs');
  mkdirSync(debs, { recursive: true });
  const missing = pkgs.filter((p) => !readdirSync(debs).some((f) => f.startsWith(`${p}_`)));
  if (missing.length) {
    log(`kernel ${kernel}: apt-get download ${missing.join(' ')}`);
    try {
      apt.download(missing, debs);
    } catch (e) {
      throw network('apt-get download', e);
    }
  }
  const files = pkgs.map((p) => join(debs, readdirSync(debs).find((f) => f.startsWith(`${p}_`))!));
  const work = mkdtempSync(join(root, 'kernel', `.extract-${kernel}-`));
  try {
    log(`kernel ${kernel}: unpacking ${files.map((f) => basename(f)).join(', ')}`);
    for (const f of files) {
      // tar exits 2 for a pattern a package lacks (the 7.2 image has no modules): what was found is
      // checked below.
      execFileSync('/bin/sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" --wildcards "*vmlinuz*" "*/modules/*/kernel/*" 2>/dev/null; exit 0', 'sh', f, work]);
    }
    const vmlinuz = findFiles(work, (p) => /\/vmlinuz[^/]*$/.test(p))[0];
    const modRoot = findFiles(work, (p) => p.endsWith(`/modules/${release}/kernel`), true)[0];
    if (!vmlinuz || !modRoot) throw new SetupError(`${image}: no vmlinuz or no modules/${release}/kernel in the packages`);
    const dir = kernelDir(kernel, root);
    const p = buildKernelDir(dir, kernel, release, vmlinuz, dirname(modRoot), pkgs.map((x, i) => basename(files[i]!)), log);
    p.seconds = (Date.now() - t0) / 1000;
    log(`kernel ${kernel}: ready (${release}) in ${dir}, ${p.seconds.toFixed(1)} s`);
    return p;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function buildCustom(image: string, modules: string, root: string, log: (m: string) => void): Provisioned {
  const t0 = Date.now();
  if (!existsSync(image)) throw new SetupError(`--kernel-image ${image}: no such file`);
  if (!existsSync(modules)) throw new SetupError(`--modules ${modules}: no such directory`);
  const hash = createHash('sha256').update(readFileSync(image)).update(modules).digest('hex').slice(0, 12);
  const dir = join(root, 'kernel', `custom-${hash}`);
  const have = readProvisioned(dir);
  if (have) return have;
  const p = buildKernelDir(dir, 'custom', basename(modules), image, modules, [], log);
  p.seconds = (Date.now() - t0) / 1000;
  return p;
}

function findFiles(dir: string, pred: (p: string) => boolean, dirs = false): string[] {
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
function buildKernelDir(
  dir: string, kernel: KernelVersion | 'custom', release: string, vmlinuz: string, modulesDir: string,
  packages: string[], log: (m: string) => void,
): Provisioned {
  const busybox = staticBusybox();
  if (!busybox) throw new SetupError(`no static busybox: install ${APT_PACKAGES.busybox}`);
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
function refreshInitramfs(dir: string, log: (m: string) => void): Provisioned | null {
  const mf = join(dir, 'manifest.json'), busybox = staticBusybox();
  if (!existsSync(mf) || !existsSync(join(dir, 'modules', 'base.order')) || !existsSync(join(dir, 'vmlinuz')) || !busybox) return null;
  const m = JSON.parse(readFileSync(mf, 'utf8')) as Manifest;
  if (m.format !== FORMAT) return null;
  log(`kernel ${m.kernel}: /init changed, rebuilding the initramfs`);
  buildInitramfs(dir, busybox);
  writeFileSync(mf, JSON.stringify({ ...m, init: initHash() }, null, 2) + '\n');
  return readProvisioned(dir);
}
