// Provisioning without a VM: module dependencies read from the modules themselves, what counts as
// provisioned, and the message a user who cannot provision gets.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { findProvisioned, kernelSources, moduleDepends, sourcesDir } from '../../reference/kernel/setup.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('kernel sources', () => {
  it('unpacks the cited parts of a kernel once, and says when it is there (idempotent, no download)', (t) => {
    const dir = sourcesDir('7.2');
    if (!existsSync(join(dir, 'sound', 'core'))) return t.skip(`the 7.2 sources are not unpacked (${dir}): \`alsa-spec kernel sources\` does it`);
    const t0 = Date.now();
    assert.equal(kernelSources('7.2', { log: () => assert.fail('an unpacked kernel is not fetched again') }), dir);
    assert.ok(Date.now() - t0 < 1000);
    for (const f of ['sound/core/pcm_native.c', 'sound/core/pcm_lib.c', 'sound/core/pcm_memory.c', 'include/uapi/sound/asound.h', 'tools/verification/rvgen']) {
      assert.ok(existsSync(join(dir, f)), f);
    }
  });
});

describe('kernel setup', () => {
  it("reads a module's dependencies from its .modinfo depends= entry, dashes as underscores", () => {
    const ko = Buffer.concat([Buffer.from('\x7fELF...'), Buffer.from('\0license=GPL\0depends=snd-pcm,snd,soundcore\0intree=Y\0')]);
    assert.deepEqual(moduleDepends(ko), ['snd_pcm', 'snd', 'soundcore']);
    assert.deepEqual(moduleDepends(Buffer.from('\0depends=\0name=x\0')), []);
    assert.deepEqual(moduleDepends(Buffer.from('no modinfo here')), []);
    const real = findProvisioned('7.2');
    if (real) assert.deepEqual(moduleDepends(readFileSync(join(real.dir, 'modules', 'snd_dummy.ko'))).sort(), ['snd', 'snd_pcm']);
  });

  it('a cache whose manifest is of another format, or whose initramfs is missing, is not provisioned', () => {
    const cache = mkdtempSync(join(tmpdir(), 'alsa-spec-stale-'));
    try {
      const dir = join(cache, 'kernel', '7.2');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'vmlinuz'), 'x');
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ format: 0, kernel: '7.2', release: 'r', packages: [], devices: [], init: '', built: '' }));
      assert.equal(findProvisioned('7.2', cache), null);
      assert.equal(findProvisioned('6.1', cache), null);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  const asRoot = process.getuid?.() === 0;
  const setpriv = spawnSync('sh', ['-c', 'command -v setpriv']).status === 0;
  const skip = !asRoot ? 'not root: cannot switch to another user' : !setpriv ? 'setpriv is not installed' : false;
  if (skip) console.log(`# skipped: kernel setup as another user: ${skip}`);
  it('run by a user who is not root on an empty cache, kernel setup exits 1 and says to run it as root', { skip }, () => {
    const home = mkdtempSync(join(tmpdir(), 'alsa-spec-nonroot-'));
    try {
      chmodSync(home, 0o777);
      const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', 'cli/kernel.ts', 'setup', '--kernel', '6.1'], {
        cwd: ROOT, env: { ...process.env, HOME: home, ALSA_SPEC_CACHE: join(home, 'cache') }, timeout: 60_000,
      });
      assert.equal(r.status, 1, r.stderr.toString());
      assert.match(r.stderr.toString(), /kernel setup failed: .*(root|sudo)/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
