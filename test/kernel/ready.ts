// Shared by the VM test files: provisions the kernels when they are missing and this machine can,
// or says why the VM tests cannot run (printed by the caller, never a silent skip).
import { cannotProvision, findProvisioned, kernelSetup, type KernelVersion } from '../../reference/kernel/setup.ts';

export async function kernelsReady(kernels: readonly KernelVersion[]): Promise<string | null> {
  if (process.env.ALSA_SPEC_SKIP_KERNEL) return 'ALSA_SPEC_SKIP_KERNEL is set';
  const missing = kernels.filter((k) => !findProvisioned(k));
  if (missing.length === 0) return null;
  const why = cannotProvision();
  if (why) return why;
  const t0 = Date.now();
  try {
    await kernelSetup({ kernels: missing, log: (m) => console.log(`# ${m}`) });
  } catch (e) {
    return `kernel setup failed: ${(e as Error).message}`;
  }
  console.log(`# provisioned kernel ${missing.join(', ')} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return null;
}
