// spec/abi/*.ts against gcc: a tiny C program compiled against the uapi header prints sizeof,
// offsetof and the ioctl numbers, and every layout and number the spec states must match. The
// compat SYNC_PTR32 structs are not uapi: their definitions are taken from the kernel's own
// sound/core/pcm_native.c. Skipped, with the reason printed, when gcc or the header is absent.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PCM_IOCTL } from '../../spec/abi/ioctl.ts';
import * as S from '../../spec/abi/structs.ts';
import { PCM_INFO_TEXT } from '../../reference/kernel/codec.ts';
import { cacheRoot } from '../../reference/kernel/setup.ts';

const SRC = join(cacheRoot(), 'kernel-source', 'linux-7.2');
const SRC_HEADER = join(SRC, 'include', 'uapi', 'sound', 'asound.h');
const SYS_HEADER = '/usr/include/sound/asound.h';

/** Which C struct each layout of spec/abi/structs.ts describes, and how a field name maps to C. */
const STRUCTS: [name: string, layout: S.Layout, cType: string, field: (f: string) => string][] = [
  ['SND_INTERVAL', S.SND_INTERVAL, 'struct snd_interval', (f) => f],
  ['SND_MASK', S.SND_MASK, 'struct snd_mask', (f) => f],
  ['HW_PARAMS', S.HW_PARAMS, 'struct snd_pcm_hw_params', (f) => f],
  ['SW_PARAMS', S.SW_PARAMS, 'struct snd_pcm_sw_params', (f) => f],
  ['STATUS', S.STATUS, 'struct snd_pcm_status', (f) => f],
  ['MMAP_STATUS', S.MMAP_STATUS, 'struct snd_pcm_mmap_status', (f) => f],
  ['MMAP_CONTROL', S.MMAP_CONTROL, 'struct snd_pcm_mmap_control', (f) => f],
  ['SYNC_PTR', S.SYNC_PTR, 'struct snd_pcm_sync_ptr', (f) => f.replace(/^s\./, 's.status.').replace(/^c\./, 'c.control.')],
  ['SYNC_PTR32', S.SYNC_PTR32, 'struct snd_pcm_sync_ptr32', (f) => f.replace(/^s\./, 's.status.').replace(/^c\./, 'c.control.')],
  ['XFERI', S.XFERI, 'struct snd_xferi', (f) => f],
  ['XFERN', S.XFERN, 'struct snd_xfern', (f) => f],
  ['CHANNEL_INFO', S.CHANNEL_INFO, 'struct snd_pcm_channel_info', (f) => f],
  ['PCM_INFO', S.PCM_INFO, 'struct snd_pcm_info', (f) => f],
];

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** The kernel-internal compat structs, cut out of pcm_native.c (or null without the source). */
function compatStructs(): string | null {
  const file = join(SRC, 'sound', 'core', 'pcm_native.c');
  if (!existsSync(file)) return null;
  const c = readFileSync(file, 'utf8');
  const grab = (name: string) => new RegExp(`struct ${name} \\{[\\s\\S]*?\\n\\}[^;]*;`).exec(c)?.[0];
  const parts = ['snd_pcm_mmap_status32', 'snd_pcm_mmap_control32', 'snd_pcm_sync_ptr32'].map(grab);
  // Inside the kernel __snd_timespec is two __s32 (asound.h under __KERNEL__); a userspace build
  // would give the compat structs a 16-byte timespec.
  return parts.every(Boolean) ? ['struct ksnd_timespec { __s32 tv_sec; __s32 tv_nsec; };', ...parts].join('\n').replace(/struct __snd_timespec\b/g, 'struct ksnd_timespec') : null;
}

function cProgram(header: string, compat: string | null, hasSync: boolean): string {
  const lines: string[] = [];
  for (const [name, layout, cType, field] of STRUCTS) {
    if (name === 'SYNC_PTR32' && !compat) continue;
    lines.push(`  printf("${name} size %zu\\n", sizeof(${cType}));`);
    for (const f of Object.keys(layout.fields)) {
      if (name === 'HW_PARAMS' && !hasSync && (f === 'sync' || f === 'reserved')) continue;
      if (name === 'SND_INTERVAL' && f === 'flags') continue; // bit-fields: only the size is checked
      const cf = field(f);
      lines.push(`  printf("${name}.${f} %zu %zu\\n", offsetof(${cType}, ${cf}), sizeof(((${cType} *)0)->${cf}));`);
    }
  }
  for (const [f, [o, n]] of Object.entries(PCM_INFO_TEXT)) {
    lines.push(`  printf("PCM_INFO_TEXT.${f} %zu %zu\\n", offsetof(struct snd_pcm_info, ${f}), sizeof(((struct snd_pcm_info *)0)->${f})); (void)${o}; (void)${n};`);
  }
  for (const k of Object.keys(PCM_IOCTL)) {
    const c = k === 'SYNC_PTR32' ? (compat ? "_IOWR('A', 0x23, struct snd_pcm_sync_ptr32)" : null) : `SNDRV_PCM_IOCTL_${k}`;
    if (c) lines.push(`  printf("IOCTL.${k} %lu\\n", (unsigned long)(${c}));`);
  }
  return [
    '#include <stdio.h>', '#include <stddef.h>', '#include <stdint.h>', '#include <time.h>', '#include <sys/ioctl.h>',
    'typedef uint32_t u32; typedef int32_t s32;',
    `#include "${header}"`,
    compat ?? '',
    'int main(void) {', ...lines, '  return 0;', '}',
  ].join('\n');
}

describe('spec/abi against gcc and the uapi header', () => {
  const header = process.env.ALSA_SPEC_ASOUND_H ?? (existsSync(SRC_HEADER) ? SRC_HEADER : existsSync(SYS_HEADER) ? SYS_HEADER : null);
  const skip = !which('gcc') ? 'gcc is not installed' : !header ? `no asound.h (${SRC_HEADER} or ${SYS_HEADER})` : null;
  if (skip) console.log(`# skipped: ABI check against gcc: ${skip}`);

  it('every struct size, field offset and ioctl number in spec/abi matches what gcc computes', { skip: skip ?? false }, () => {
    const hasSync = /unsigned char sync\[16\]/.test(readFileSync(header!, 'utf8'));
    const compat = header === SRC_HEADER ? compatStructs() : null;
    if (!compat) console.log('# SYNC_PTR32 not checked: its structs are kernel-internal, read from the unpacked 7.2 source (`alsa-spec kernel sources`), which this run does not have');
    const dir = mkdtempSync(join(tmpdir(), 'alsa-spec-abi-'));
    try {
      writeFileSync(join(dir, 'abi.c'), cProgram(header!, compat, hasSync));
      const cc = spawnSync('gcc', ['-D__user=', '-D__packed=__attribute__((packed))', '-o', join(dir, 'abi'), join(dir, 'abi.c')]);
      assert.equal(cc.status, 0, `gcc failed:\n${cc.stderr.toString()}`);
      const out = spawnSync(join(dir, 'abi')).stdout.toString().trim().split('\n');
      const got = new Map(out.map((l) => {
        const [k, ...v] = l.split(' ');
        return [k!, v.map(Number)];
      }));
      let checked = 0;
      for (const [name, layout] of STRUCTS) {
        const size = out.find((l) => l.startsWith(`${name} size `));
        if (!size) continue;
        assert.equal(Number(size.split(' ')[2]), layout.size, `sizeof ${name}`);
        checked++;
        for (const [f, [o, n]] of Object.entries(layout.fields)) {
          const g = got.get(`${name}.${f}`);
          if (!g) continue;
          assert.deepEqual(g, [o, n], `${name}.${f}: spec says [${o}, ${n}], gcc says [${g.join(', ')}]`);
          checked++;
        }
      }
      for (const [f, [o, n]] of Object.entries(PCM_INFO_TEXT)) assert.deepEqual(got.get(`PCM_INFO_TEXT.${f}`), [o, n], `snd_pcm_info.${f}`);
      for (const [k, v] of Object.entries(PCM_IOCTL)) {
        const g = got.get(`IOCTL.${k}`);
        if (!g) continue;
        assert.equal(g[0], v, `SNDRV_PCM_IOCTL_${k}: spec 0x${v.toString(16)}, gcc 0x${g[0]!.toString(16)}`);
        checked++;
      }
      console.log(`# ${checked} sizes, offsets and ioctl numbers match gcc (${header})`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
