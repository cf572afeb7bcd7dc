// Out-of-process implementations under test: any program, in any language, that speaks the
// JSON-lines protocol of spec/protocol.ts on its stdin/stdout becomes a PcmBackend here. The wire
// format itself is documented in conformance/README.md and defined in spec/protocol.ts.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Command, DeviceInfo, Outcome, PcmBackend, PcmDevice } from '../spec/device.ts';
import { parseResponse, stringifyLine, type Hello, type Response, type SessionOp } from '../spec/protocol.ts';

export * from '../spec/protocol.ts';

export interface ProcessBackendOptions {
  /** Per-request limit; a process that does not answer in time is killed. Default 60 s. */
  timeoutMs?: number;
  /** Limit for the hello line. Default 30 s. */
  helloTimeoutMs?: number;
}

/** A PcmBackend backed by a child process speaking the JSON-lines protocol. */
export class ProcessBackend implements PcmBackend {
  readonly name: string;
  hello: Hello | null = null;
  private child: ChildProcessWithoutNullStreams | null = null;
  private pending = new Map<number, { resolve: (r: Response) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private helloWait: { resolve: (h: Hello) => void; reject: (e: Error) => void } | null = null;
  private nextId = 1;
  private dead: Error | null = null;
  private stderr = '';

  constructor(private readonly argv: readonly string[], private readonly opts: ProcessBackendOptions = {}) {
    this.name = `process:${argv.join(' ')}`;
  }

  private async start(): Promise<void> {
    if (this.child) return;
    const [cmd, ...args] = this.argv;
    if (!cmd) throw new Error('ProcessBackend: empty command');
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-4000); });
    child.once('exit', (code, sig) => this.fail(new Error(`${this.name} exited (${sig ?? `status ${code}`})\n${this.stderr}`)));
    child.once('error', (e) => this.fail(e));
    const hello = new Promise<Hello>((resolve, reject) => { this.helloWait = { resolve, reject }; });
    const timer = setTimeout(() => this.fail(new Error(`${this.name}: no hello within ${(this.opts.helloTimeoutMs ?? 30_000) / 1000} s`)), this.opts.helloTimeoutMs ?? 30_000);
    void (async () => {
      try {
        for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
          if (!line.trim()) continue;
          const m = parseResponse(line);
          if ('hello' in m) {
            clearTimeout(timer);
            this.helloWait?.resolve(m.hello);
            continue;
          }
          const p = this.pending.get(m.id);
          if (!p) throw new Error(`response to unknown request ${m.id}`);
          this.pending.delete(m.id);
          clearTimeout(p.timer);
          p.resolve(m);
        }
      } catch (e) {
        this.fail(e as Error);
      }
    })();
    this.hello = await hello;
  }

  private fail(e: Error): void {
    if (this.dead) return;
    this.dead = e;
    this.helloWait?.reject(e);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
    if (this.child && this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  request(body: { cmd: Command } | { op: SessionOp }): Promise<Response> {
    if (this.dead || !this.child) return Promise.reject(this.dead ?? new Error('not started'));
    const id = this.nextId++;
    const ms = this.opts.timeoutMs ?? 60_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error(`${this.name}: no answer to request ${id} within ${ms / 1000} s`)), ms);
      this.pending.set(id, { resolve, reject, timer });
      this.child!.stdin.write(`${stringifyLine({ id, ...body })}\n`);
    });
  }

  async open(): Promise<PcmDevice> {
    await this.start();
    const r = await this.request({ op: 'open' });
    if (!('info' in r)) throw new Error(`${this.name}: open answered ${JSON.stringify(r)}`);
    return new ProcessDevice(this, r.info);
  }

  async shutdown(): Promise<void> {
    if (!this.child || this.dead) return;
    await this.request({ op: 'shutdown' }).catch(() => undefined);
    this.fail(new Error('shut down'));
  }
}

class ProcessDevice implements PcmDevice {
  constructor(private readonly backend: ProcessBackend, readonly info: DeviceInfo) {}
  async exec(cmd: Command): Promise<Outcome> {
    const r = await this.backend.request({ cmd });
    if ('outcome' in r) return r.outcome;
    throw new Error(`${this.backend.name} could not run ${cmd.type}: ${'error' in r ? r.error : JSON.stringify(r)}`);
  }
  async dispose(): Promise<void> {
    await this.backend.request({ op: 'dispose' });
  }
}
