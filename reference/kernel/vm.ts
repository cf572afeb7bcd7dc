// Boots one QEMU VM (TCG, one CPU) on a provisioned Debian kernel and talks to the guest agent over
// a virtio-serial port wired to QEMU's stdio, in the JSON-lines protocol of spec/protocol.ts. Every
// wait has a deadline: a VM that does not boot, hangs or dies fails with a message that names the
// kernel, shows the console's last lines and says what to do.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Command } from '../../spec/device.ts';
import { parseResponse, stringifyLine, type Hello, type Response, type SessionOp } from '../../spec/protocol.ts';
import { findProvisioned, provisionedAt, type KernelDeviceName, type KernelVersion, type Provisioned } from './setup.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

export interface VmOptions {
  kernel: KernelVersion;
  device: KernelDeviceName;
  cacheDir?: string;
  /** Boot this provisioned kernel directory instead of <cache>/kernel/<kernel> (your own kernel,
   * built by `kernel setup --kernel-image … --modules …`). */
  kernelDir?: string;
  /** From QEMU's start to the agent's hello; default 120 s. */
  bootTimeoutMs?: number;
  /** Memory in MiB; default 1024. */
  memoryMiB?: number;
  /** Where QEMU's HDA output goes (device hda); default a file in the VM's temporary directory. */
  hdaWav?: string;
}

export class VmError extends Error {
  override name = 'VmError';
}

/** Bundles the guest agent into one ES module beside the project's node_modules (so that koffi
 * resolves), so the guest's Node starts it without a TypeScript loader. */
export async function bundleAgent(): Promise<string> {
  const dir = join(ROOT, 'node_modules', '.cache', 'alsa-spec');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'agent.mjs');
  await build({
    entryPoints: [join(ROOT, 'reference', 'kernel', 'guest', 'agent.ts')],
    bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out,
    external: ['koffi'], logLevel: 'error', sourcemap: 'inline',
  });
  return out;
}

type Pending = { resolve: (r: Response) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

export class Vm {
  readonly hello: Hello;
  readonly provisioned: Provisioned;
  readonly hdaWav: string;
  /** Milliseconds from QEMU's start to the agent's hello. */
  readonly bootMs: number;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private dead: Error | null = null;

  private constructor(
    private readonly qemu: ChildProcessWithoutNullStreams,
    private readonly dir: string,
    private readonly opts: VmOptions,
    hello: Hello, provisioned: Provisioned, hdaWav: string, bootMs: number,
    lines: AsyncIterator<string>,
  ) {
    this.hello = hello;
    this.provisioned = provisioned;
    this.hdaWav = hdaWav;
    this.bootMs = bootMs;
    void this.pump(lines);
    qemu.once('exit', (code, sig) => this.die(new VmError(`QEMU exited (${sig ?? `status ${code}`})`)));
  }

  static async boot(opts: VmOptions): Promise<Vm> {
    const t0 = Date.now();
    const p = opts.kernelDir ? provisionedAt(opts.kernelDir) : findProvisioned(opts.kernel, opts.cacheDir);
    if (!p) {
      throw new VmError(opts.kernelDir
        ? `${opts.kernelDir} is not a provisioned kernel directory: run \`alsa-spec kernel setup --kernel-image … --modules …\``
        : `kernel ${opts.kernel} is not provisioned: run \`alsa-spec kernel setup\` (as root, once)`);
    }
    if (!p.devices.includes(opts.device)) throw new VmError(`kernel ${opts.kernel} (${p.release}) has no modules for ${opts.device}`);
    const agent = await bundleAgent();
    const dir = mkdtempSync(join(tmpdir(), `alsa-spec-vm-${opts.kernel}-${opts.device}-`));
    const consoleLog = join(dir, 'console.log');
    const hdaWav = opts.hdaWav ?? join(dir, 'hda.wav');
    const append = [
      'console=ttyS0', 'panic=-1', 'loglevel=4',
      `alsa_spec.root=${ROOT}`, `alsa_spec.node=${process.execPath}`, `alsa_spec.device=${opts.device}`, `alsa_spec.agent=${agent}`,
      `alsa_spec.modules=${join(p.dir, 'modules')}`,
    ].join(' ');
    const args = [
      '-accel', 'tcg', '-smp', '1', '-m', String(opts.memoryMiB ?? 1024), '-nodefaults', '-no-reboot', '-display', 'none',
      '-kernel', p.vmlinuz, '-initrd', p.initramfs, '-append', append,
      '-serial', `file:${consoleLog}`,
      '-virtfs', 'local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap',
      '-device', 'virtio-serial-pci', '-chardev', 'stdio,id=agent,signal=off', '-device', 'virtserialport,chardev=agent,name=alsa-spec.agent',
      ...(opts.device === 'hda'
        // The WAV file takes the format the tests play (S16_LE, 2 channels, 48 kHz) so that QEMU's
        // mixing engine converts nothing and the output can be compared byte for byte; mixer=off:
        // the codec's amplifiers start muted and nothing in the guest unmutes them.
        ? ['-audiodev', `wav,id=snd0,path=${hdaWav},out.frequency=48000,out.channels=2,out.format=s16`, '-device', 'intel-hda', '-device', 'hda-output,audiodev=snd0,mixer=off']
        : []),
    ];
    const qemu = spawn('qemu-system-x86_64', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    qemu.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
    const lines = createInterface({ input: qemu.stdout, crlfDelay: Infinity })[Symbol.asyncIterator]();
    const timeout = opts.bootTimeoutMs ?? 120_000;
    const failBoot = (why: string) => {
      qemu.kill('SIGKILL');
      return new VmError(
        `kernel ${opts.kernel} (${p.release}, device ${opts.device}) did not start the guest agent: ${why}\n` +
        `--- QEMU stderr ---\n${stderr.trim() || '(empty)'}\n--- console, last lines (${consoleLog}) ---\n${tail(consoleLog, 30)}\n` +
        'What to do: check that the kernel and its initramfs are whole (`alsa-spec kernel setup` rebuilds what is stale; ' +
        'delete the cache directory to start over), that qemu-system-x86_64 runs, and that the project path has no spaces.',
      );
    };
    const hello = await new Promise<Hello>((resolve, reject) => {
      const timer = setTimeout(() => reject(failBoot(`no hello within ${timeout / 1000} s`)), timeout);
      qemu.once('error', (e) => { clearTimeout(timer); reject(failBoot(`cannot run qemu-system-x86_64: ${e.message}`)); });
      qemu.once('exit', (code, sig) => { clearTimeout(timer); reject(failBoot(`QEMU exited (${sig ?? `status ${code}`}) before the hello`)); });
      lines.next().then((r) => {
        clearTimeout(timer);
        if (r.done) return reject(failBoot('the channel closed before the hello'));
        try {
          const m = parseResponse(r.value);
          if ('hello' in m) resolve(m.hello);
          else reject(failBoot(`first line was not a hello: ${r.value.slice(0, 200)}`));
        } catch (e) {
          reject(failBoot((e as Error).message));
        }
      }, (e: Error) => { clearTimeout(timer); reject(failBoot(e.message)); });
    });
    qemu.removeAllListeners('exit');
    qemu.removeAllListeners('error');
    return new Vm(qemu, dir, opts, hello, p, hdaWav, Date.now() - t0, lines);
  }

  private async pump(lines: AsyncIterator<string>): Promise<void> {
    try {
      for (;;) {
        const r = await lines.next();
        if (r.done) break;
        if (!r.value.trim()) continue;
        const m = parseResponse(r.value);
        if ('hello' in m) continue;
        const p = this.pending.get(m.id);
        if (!p) {
          this.die(new VmError(`response to unknown request ${m.id}`));
          return;
        }
        this.pending.delete(m.id);
        clearTimeout(p.timer);
        p.resolve(m);
      }
      this.die(new VmError('the guest agent closed the channel'));
    } catch (e) {
      this.die(new VmError(`bad line from the guest agent: ${(e as Error).message}`));
    }
  }

  private die(e: Error): void {
    if (this.dead) return;
    this.dead = e;
    const msg = `${e.message} (kernel ${this.opts.kernel}, device ${this.opts.device})\n--- console, last lines ---\n${this.consoleTail(30)}`;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new VmError(msg));
    }
    this.pending.clear();
    if (this.qemu.exitCode === null) this.qemu.kill('SIGKILL');
  }

  /** QEMU's process id. */
  get pid(): number | undefined {
    return this.qemu.pid;
  }

  get alive(): boolean {
    return this.dead === null;
  }

  consoleTail(n: number): string {
    return tail(join(this.dir, 'console.log'), n);
  }

  /** Sends one request; a VM that does not answer within `timeoutMs` is killed. */
  request(body: { cmd: Command } | { op: SessionOp }, timeoutMs = 60_000): Promise<Response> {
    if (this.dead) return Promise.reject(new VmError(`the VM is gone: ${this.dead.message}`));
    const id = this.nextId++;
    return new Promise<Response>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.die(new VmError(`no answer to request ${id} (${stringifyLine(body).slice(0, 120)}) within ${timeoutMs / 1000} s: the VM hangs and was killed`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.qemu.stdin.write(`${stringifyLine({ id, ...body })}\n`);
    });
  }

  /** Asks the agent to stop, then ends QEMU; bounded in time either way. */
  async shutdown(keepDir = false): Promise<void> {
    if (!this.dead) {
      await this.request({ op: 'shutdown' }, 10_000).catch(() => undefined);
    }
    if (this.qemu.exitCode === null && this.qemu.signalCode === null) {
      const exited = new Promise<void>((r) => this.qemu.once('exit', () => r()));
      const t = setTimeout(() => this.qemu.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    this.dead ??= new VmError('shut down');
    if (!keepDir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** The HDA output QEMU wrote (device hda). */
  readHdaWav(): Buffer {
    return readFileSync(this.hdaWav);
  }
}

function tail(file: string, n: number): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r/g, '').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '(no console output)';
  }
}
