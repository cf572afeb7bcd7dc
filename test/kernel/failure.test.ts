// A VM that does not boot, boots too slowly or hangs fails with a clear message within a bounded
// time; it never hangs the run.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { KernelBackend } from '../../reference/kernel/device.ts';
import { findProvisioned } from '../../reference/kernel/setup.ts';
import { Vm, VmError } from '../../reference/kernel/vm.ts';
import { kernelsReady } from './ready.ts';

const notReady = await kernelsReady(['7.2']);
const real = notReady ? null : findProvisioned('7.2');
const skip = notReady ?? false;
if (skip) console.log(`# skipped: VM failure handling: ${skip}`);

/** A failed boot keeps its console log for the user and names it: the tests clean up after themselves. */
function dropLogDir(e: Error): void {
  const log = /\((\/[^)]*\/console\.log)\)/.exec(e.message)?.[1];
  if (log) rmSync(dirname(log), { recursive: true, force: true });
}

describe('VM failure handling', { skip }, () => {
  it('a kernel that cannot start /init fails fast, naming the kernel and showing the console', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'alsa-spec-broken-'));
    try {
      const dir = join(cache, 'kernel', '7.2');
      mkdirSync(dir, { recursive: true });
      copyFileSync(real!.vmlinuz, join(dir, 'vmlinuz'));
      copyFileSync(join(real!.dir, 'manifest.json'), join(dir, 'manifest.json'));
      writeFileSync(join(dir, 'initramfs.cpio.gz'), 'not an initramfs');
      const t = Date.now();
      await assert.rejects(Vm.boot({ kernel: '7.2', device: 'dummy', cacheDir: cache, bootTimeoutMs: 60_000 }), (e: Error) => {
        assert.ok(e instanceof VmError);
        assert.match(e.message, /kernel 7\.2 .*did not start the guest agent: (QEMU exited|the channel closed)/);
        assert.match(e.message, /Kernel panic|VFS/);
        assert.match(e.message, /What to do/);
        dropLogDir(e);
        return true;
      });
      assert.ok(Date.now() - t < 30_000, 'a panicking kernel is reported without waiting for the boot timeout');
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('a guest that says nothing within the boot timeout is killed and reported', async () => {
    const t = Date.now();
    await assert.rejects(Vm.boot({ kernel: '7.2', device: 'dummy', bootTimeoutMs: 1500 }), (e: Error) => {
      assert.match(e.message, /no hello within 1\.5 s/);
      dropLogDir(e);
      return true;
    });
    assert.ok(Date.now() - t < 10_000);
  });

  it('a VM that stops answering is killed after the command timeout, and every later call fails at once', async () => {
    const backend = new KernelBackend({ kernel: '7.2', device: 'dummy', commandTimeoutMs: 3000 });
    try {
      const d = await backend.open();
      await d.exec({ type: 'OPEN', fd: 0, stream: 'PLAYBACK', nonblock: true });
      const vm = await backend.machine();
      process.kill(vm.pid!, 'SIGSTOP');
      const t = Date.now();
      await assert.rejects(Promise.resolve(d.exec({ type: 'PVERSION', fd: 0 })), /within 3 s: the VM hangs and was killed/);
      assert.ok(Date.now() - t < 10_000);
      await assert.rejects(Promise.resolve(d.exec({ type: 'PVERSION', fd: 0 })), /the VM is gone/);
      await assert.rejects(backend.open(), /died/);
    } finally {
      await backend.shutdown();
    }
  });
});
