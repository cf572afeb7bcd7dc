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
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  KERNEL_VERSIONS, SetupError, cacheRoot, findFiles, findProvisioned, kernelDir, readProvisioned, run, which,
  type KernelVersion, type Provisioned,
} from './cache.ts';
import { buildKernelDir, refreshInitramfs, staticBusybox } from './initramfs.ts';

export {
  KERNEL_DEVICES, KERNEL_VERSIONS, SetupError, cacheRoot, findProvisioned, kernelDir, provisionedAt,
  type KernelDeviceName, type KernelVersion, type Provisioned,
} from './cache.ts';
export { DEVICE_MODULES, moduleDepends, staticBusybox } from './initramfs.ts';

/** Debian suite each kernel comes from. */
const SUITE: Record<KernelVersion, string> = { '7.2': 'trixie-backports', '6.1': 'bookworm' };
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

/** The parts of Debian's `linux-source-<ver>` the spec cites and the tests read: the sound core and
 * drivers, their headers, Documentation/sound, the ALSA selftests and the runtime-verification
 * tools (rvgen). */
const SOURCE_PARTS = [
  'sound', 'include/sound', 'include/uapi/sound', 'Documentation/sound', 'tools/testing/selftests/alsa',
  'tools/verification', 'kernel/trace/rv', 'Documentation/trace/rv',
];

/** Where `kernelSources` unpacks a kernel's sources. */
export const sourcesDir = (kernel: KernelVersion, cacheDir?: string): string => join(cacheRoot(cacheDir), 'kernel-source', `linux-${kernel}`);

/**
 * `alsa-spec kernel sources`: unpacks the cited parts of Debian's linux-source-<ver> package into
 * <cache>/kernel-source/linux-<ver> (the ABI test compiles the uapi and compat structs from it, the
 * rvgen test runs the kernel's rvgen). Fetched like the kernels, through a private sources list and
 * the machine's own mirror; idempotent.
 */
export function kernelSources(kernel: KernelVersion, opts: { cacheDir?: string; log?: (m: string) => void } = {}): string {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const root = cacheRoot(opts.cacheDir);
  const dest = sourcesDir(kernel, opts.cacheDir);
  if (existsSync(join(dest, 'sound', 'core'))) return dest;
  if (!which('apt-get') || !which('dpkg-deb') || !which('tar')) throw new SetupError('apt-get, dpkg-deb and tar are needed to fetch Debian\'s kernel sources');
  if (process.getuid?.() !== 0) throw new SetupError(`the kernel ${kernel} sources are not unpacked and apt-get download needs root here: run \`sudo alsa-spec kernel sources\` once`);
  const mirror = debianMirror();
  const apt = new PrivateApt(root, SUITE[kernel], mirror);
  const t0 = Date.now();
  const work = mkdtempSync(join(root, 'kernel', `.source-${kernel}-`));
  try {
    log(`kernel ${kernel} sources: apt-get update (${apt.suite}, private sources list)`);
    try {
      apt.update();
      apt.download([`linux-source-${kernel}`], work);
    } catch (e) {
      throw new SetupError(`kernel ${kernel} sources: apt-get failed: ${(e as Error).message}\nWhat to do: check that this machine reaches the Debian mirror of its apt configuration (${mirror}, suite ${apt.suite}), then run \`alsa-spec kernel sources\` again.`);
    }
    const deb = readdirSync(work).find((f) => f.startsWith(`linux-source-${kernel}_`) && f.endsWith('.deb'));
    if (!deb) throw new SetupError(`kernel ${kernel} sources: apt-get download left no linux-source-${kernel} package`);
    log(`kernel ${kernel} sources: unpacking ${SOURCE_PARTS.join(', ')} from ${deb}`);
    run('dpkg-deb', ['-x', join(work, deb), join(work, 'x')]);
    const tarball = join(work, 'x', 'usr', 'src', `linux-source-${kernel}.tar.xz`);
    if (!existsSync(tarball)) throw new SetupError(`kernel ${kernel} sources: ${deb} holds no usr/src/linux-source-${kernel}.tar.xz`);
    const top = `linux-source-${kernel}`;
    execFileSync('tar', ['-xf', tarball, '-C', work, '--wildcards', ...SOURCE_PARTS.map((p) => `${top}/${p}/*`)]);
    if (!existsSync(join(work, top, 'sound', 'core'))) throw new SetupError(`kernel ${kernel} sources: no sound/core in ${deb}`);
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(dirname(dest), { recursive: true });
    execFileSync('cp', ['-a', join(work, top), dest]);
    log(`kernel ${kernel} sources: ${dest} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return dest;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
