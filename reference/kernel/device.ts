// The real-kernel backend: PcmBackend / PcmDevice (spec/device.ts) over a guest agent in a QEMU VM.
// One VM per backend, booted at the first open(); each open() is a fresh session on it (the agent
// closes every file, and after a DISCONNECT binds the driver again).
import type { Command, DeviceInfo, Outcome, PcmBackend, PcmDevice } from '../../spec/device.ts';
import { findProvisioned, kernelSetup, type KernelDeviceName, type KernelVersion } from './setup.ts';
import { Vm, VmError, type VmOptions } from './vm.ts';

export interface KernelBackendOptions extends VmOptions {
  /** Provision the kernel first when it is missing (runs `kernel setup` for it). Default false:
   * a missing kernel is an error that says to run `alsa-spec kernel setup`. */
  provision?: boolean;
  /** Per-command limit on top of the command's own real-time length; default 30 s. */
  commandTimeoutMs?: number;
}

/** How long a command may take: device time for ADVANCE and transfers, plus a fixed margin. */
function commandTimeout(cmd: Command, base: number): number {
  const frames = 'frames' in cmd && typeof cmd.frames === 'number' ? cmd.frames : 0;
  return base + frames; // ≥ 1 ms a frame: slower than any rate a device offers
}

export class KernelDevice implements PcmDevice {
  private disposed = false;
  constructor(private readonly vm: Vm, readonly info: DeviceInfo, private readonly timeoutMs: number) {}

  async exec(cmd: Command): Promise<Outcome> {
    if (this.disposed) throw new Error('exec on a disposed session');
    const r = await this.vm.request({ cmd }, commandTimeout(cmd, this.timeoutMs));
    if ('outcome' in r) return r.outcome;
    if ('error' in r) throw new VmError(`guest agent could not run ${cmd.type}: ${r.error}`);
    throw new VmError(`unexpected answer to ${cmd.type}`);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.vm.alive) return;
    const r = await this.vm.request({ op: 'dispose' }, this.timeoutMs);
    if ('error' in r) throw new VmError(`guest agent could not end the session: ${r.error}`);
  }
}

export class KernelBackend implements PcmBackend {
  readonly name: string;
  private vm: Vm | null = null;
  private booting: Promise<Vm> | null = null;

  /** HDA only: what the device played, from QEMU's WAV audiodev (conformance/data.ts PlayedOutput). */
  readonly played?: () => Promise<Uint8Array>;

  constructor(private readonly opts: KernelBackendOptions) {
    this.name = `kernel-${opts.kernel}-${opts.device}`;
    if (opts.device === 'hda') {
      // The samples after the WAV header (QEMU's wav audiodev writes a 44-byte one and fills in
      // its sizes at exit), as the file holds them now.
      this.played = async () => new Uint8Array((await this.machine()).readHdaWav().subarray(44));
    }
  }

  /** The VM, booted on first use. */
  async machine(): Promise<Vm> {
    if (this.vm?.alive) return this.vm;
    if (this.vm && !this.vm.alive) throw new VmError(`the ${this.name} VM died; start a new backend`);
    this.booting ??= (async () => {
      if (this.opts.provision && !this.opts.kernelDir && !findProvisioned(this.opts.kernel, this.opts.cacheDir)) {
        await kernelSetup({ kernels: [this.opts.kernel], ...(this.opts.cacheDir ? { cacheDir: this.opts.cacheDir } : {}) });
      }
      this.vm = await Vm.boot(this.opts);
      return this.vm;
    })();
    return this.booting;
  }

  async open(): Promise<KernelDevice> {
    const vm = await this.machine();
    const timeout = this.opts.commandTimeoutMs ?? 30_000;
    const r = await vm.request({ op: 'open' }, timeout);
    if (!('info' in r)) throw new VmError(`guest agent could not open a session: ${'error' in r ? r.error : 'no info'}`);
    return new KernelDevice(vm, r.info, timeout);
  }

  async shutdown(): Promise<void> {
    const vm = this.vm ?? (this.booting ? await this.booting.catch(() => null) : null);
    await vm?.shutdown();
  }
}

export function createKernelBackend(opts: KernelBackendOptions): KernelBackend {
  return new KernelBackend(opts);
}

export type { KernelDeviceName, KernelVersion };
