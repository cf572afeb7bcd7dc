// The real-kernel side of the accel suite. Stock Debian kernels build no accel: the suite reports
// the accel rules UNSUPPORTED there, with the reason. probeAccelModule() tells from a kernel's
// snd-compress module image whether it was built with CONFIG_SND_COMPRESS_ACCEL.
import type { AccelBackend } from '../../spec/accel-device.ts';

/** Measured on linux-modules-7.2.12+deb13-amd64 (7.2.12-1~bpo13+1) and known of 6.1. */
export const DEBIAN_NO_ACCEL =
  'stock Debian kernels build no accel driver: the 7.2.12 amd64 snd-compress.ko exports no ' +
  'snd_compr_task_finished (CONFIG_SND_COMPRESS_ACCEL is only selected by SND_SOC_FSL_ASRC, an ' +
  'i.MX driver the amd64 flavour does not ship), and Linux 6.1 has no accel API';

/** The symbol every accel-enabled snd-compress exports for drivers. */
const ACCEL_SYMBOL = 'snd_compr_task_finished';

/**
 * Looks for the accel export in an (uncompressed) snd-compress.ko image. Returns null when the
 * module has the accel API, else the reason it has not.
 */
export function probeAccelModule(image: Uint8Array, kernel: string): string | null {
  if (kernel.startsWith('6.1')) return `Linux ${kernel} has no accel API (added in 6.14)`;
  const needle = Buffer.from(`\0${ACCEL_SYMBOL}\0`);
  if (Buffer.from(image.buffer, image.byteOffset, image.byteLength).includes(needle)) return null;
  return `the ${kernel} snd-compress module exports no ${ACCEL_SYMBOL}: built without CONFIG_SND_COMPRESS_ACCEL`;
}

/** A backend that cannot run the accel suite, and says why. */
export function unsupportedAccelBackend(name: string, reason: string): AccelBackend {
  return {
    name,
    unsupported: reason,
    open() {
      throw new Error(`${name}: ${reason}`);
    },
    shutdown() {},
  };
}

/** The accel side of the real-kernel backend on Debian's stock kernels. */
export function debianKernelAccelBackend(kernel: '7.2' | '6.1'): AccelBackend {
  return unsupportedAccelBackend(`kernel-${kernel}`, DEBIAN_NO_ACCEL);
}

/**
 * The accel side of a provisioned kernel, probed: its snd-compress module (kept at
 * <kernel dir>/probe/snd_compress.ko by `kernel setup`) says whether the kernel has the accel API.
 * With it, there is still no virtual accel driver to run the suite against.
 */
export function kernelAccelBackend(name: string, release: string, compressModule: Uint8Array | null): AccelBackend {
  if (!compressModule) return unsupportedAccelBackend(name, `the ${release} kernel ships no snd-compress module: no compress-offload core at all`);
  const missing = probeAccelModule(compressModule, release);
  if (missing) return unsupportedAccelBackend(name, missing);
  return unsupportedAccelBackend(name, `the ${release} kernel has the accel API, but no driver a virtual machine can load implements it (only the i.MX ASRC does)`);
}
