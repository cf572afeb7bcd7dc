// The real-kernel backend's public face: what the CLI and the conformance runner use.
export { KernelBackend, KernelDevice, createKernelBackend, type KernelBackendOptions } from './device.ts';
export {
  KERNEL_DEVICES, KERNEL_VERSIONS, SetupError, cacheRoot, cannotProvision, findProvisioned, kernelSetup, provisionedAt,
  type KernelDeviceName, type KernelSetupOptions, type KernelVersion, type Provisioned,
} from './setup.ts';
export { Vm, VmError, bundleAgent, type VmOptions } from './vm.ts';
export { unsupported } from './guest/session.ts';
