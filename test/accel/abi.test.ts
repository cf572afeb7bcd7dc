// The compress ABI facts: ioctl numbers follow from the struct layouts, the layouts are sound,
// and (when the kernel headers are unpacked and gcc is present) both match what gcc measures.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  CODEC, COMPR_CAPS, COMPR_PARAMS, COMPR_TASK, COMPR_TASK_STATUS, COMPRESS_DIRECTION, COMPRESS_IOCTL, COMPRESS_IOCTL_MEASURED,
  COMPRESS_VERSION, TASK_FLAG, TASK_STATE_VALUE, taskStateName,
} from '../../spec/abi/compress.ts';
import type { Layout } from '../../spec/abi/structs.ts';

const source = (v: string) => join(process.env.ALSA_SPEC_CACHE ?? join(homedir(), '.cache/alsa-spec'), 'kernel-source', `linux-${v}`);
const header = (v: string) => join(source(v), 'include/uapi/sound/compress_offload.h');
const hasGcc = (() => {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const LAYOUTS: Record<string, Layout> = {
  snd_codec: CODEC,
  snd_compr_params: COMPR_PARAMS,
  snd_compr_caps: COMPR_CAPS,
  snd_compr_task: COMPR_TASK,
  snd_compr_task_status: COMPR_TASK_STATUS,
};

describe('compress ABI', () => {
  test('the ioctl numbers computed from the layouts are the ones gcc reported', () => {
    assert.deepEqual({ ...COMPRESS_IOCTL }, { ...COMPRESS_IOCTL_MEASURED });
  });

  test('every field lies inside its struct and fields do not overlap but for the src_d alias', () => {
    for (const [name, l] of Object.entries(LAYOUTS)) {
      const fields = Object.entries(l.fields).filter(([f]) => !f.includes('.'));
      for (const [f, [off, size]] of fields) assert.ok(off + size <= l.size, `${name}.${f}`);
      const sorted = fields.map(([, f]) => f).sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i]![0] >= sorted[i - 1]![0] + sorted[i - 1]![1], `${name} overlaps`);
    }
  });

  test('the direction, task states, flag and version have their uapi values', () => {
    assert.equal(COMPRESS_DIRECTION.ACCEL, 2);
    assert.deepEqual(TASK_STATE_VALUE, { IDLE: 0, ACTIVE: 1, FINISHED: 2 });
    assert.equal(taskStateName(2), 'FINISHED');
    assert.throws(() => taskStateName(3), RangeError);
    assert.equal(TASK_FLAG.NEW_STREAM, 1);
    assert.equal(COMPRESS_VERSION['7.2'], 0x401);
  });

  test('gcc agrees with the layouts and ioctl numbers for the 7.2 uapi headers', (t) => {
    if (!existsSync(header('7.2')) || !hasGcc) return t.skip('7.2 headers or gcc not present (`alsa-spec kernel sources` unpacks them)');
    const dir = mkdtempSync(join(tmpdir(), 'accel-abi-'));
    try {
      mkdirSync(join(dir, 'sound'));
      for (const h of ['compress_offload.h', 'compress_params.h', 'asound.h']) {
        copyFileSync(join(source('7.2'), 'include/uapi/sound', h), join(dir, 'sound', h));
      }
      const lines = ['#include <stdio.h>', '#include <stddef.h>', '#include <sys/ioctl.h>', '#include <sound/compress_offload.h>', 'int main(void) {'];
      for (const [name, l] of Object.entries(LAYOUTS)) {
        lines.push(`printf("${name} %zu\\n", sizeof(struct ${name}));`);
        for (const f of Object.keys(l.fields)) {
          const expr = f === 'options.src_d.out_sample_rate' ? 'options.src_d.out_sample_rate' : f;
          lines.push(`printf("${name}.${f} %zu %zu\\n", offsetof(struct ${name}, ${expr}), sizeof(((struct ${name} *)0)->${expr}));`);
        }
      }
      for (const n of Object.keys(COMPRESS_IOCTL)) lines.push(`printf("${n} %lu\\n", (unsigned long)SNDRV_COMPRESS_${n});`);
      lines.push('return 0; }');
      writeFileSync(join(dir, 'm.c'), lines.join('\n'));
      execFileSync('gcc', ['-D__user=', '-D__packed=__attribute__((packed))', `-I${dir}`, '-o', join(dir, 'm'), join(dir, 'm.c')]);
      const got = new Map(
        execFileSync(join(dir, 'm'), { encoding: 'utf8' }).trim().split('\n').map((l) => {
          const [k, ...v] = l.split(' ');
          return [k!, v.map(Number)] as const;
        }),
      );
      for (const [name, l] of Object.entries(LAYOUTS)) {
        assert.deepEqual(got.get(name), [l.size], name);
        for (const [f, field] of Object.entries(l.fields)) assert.deepEqual(got.get(`${name}.${f}`), [...field], `${name}.${f}`);
      }
      for (const [n, v] of Object.entries(COMPRESS_IOCTL)) assert.deepEqual(got.get(n), [v], n);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Linux 6.1 has no accel API in its uapi header', (t) => {
    if (!existsSync(header('6.1'))) return t.skip('6.1 headers not present (`alsa-spec kernel sources` unpacks them)');
    const h = readFileSync(header('6.1'), 'utf8');
    assert.ok(!h.includes('SND_COMPRESS_ACCEL') && !h.includes('TASK_CREATE'));
    assert.match(h, /SNDRV_COMPRESS_VERSION SNDRV_PROTOCOL_VERSION\(0, 2, 0\)/);
  });
});
