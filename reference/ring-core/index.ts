// The ring core: an independent, kernel-exact simulation of the Linux ALSA PCM runtime behind the
// PcmDevice seam (spec/device.ts). It imports only spec/.
import type { PcmBackend } from '../../spec/device.ts';
import { resolveOptions, type RingCoreOptions } from './options.ts';
import { RingCoreDevice } from './session.ts';

export type { DevicePort, RingCoreOptions } from './options.ts';
export { DEFAULT_CAPS } from './options.ts';
export { RingCoreDevice } from './session.ts';
export type { RuntimeView } from './inspect.ts';

export interface RingCoreBackend extends PcmBackend {
  open(): RingCoreDevice;
}

export function ringCoreBackend(options: RingCoreOptions = {}): RingCoreBackend {
  const opts = resolveOptions(options);
  const live = new Set<RingCoreDevice>();
  return {
    name: 'ring-core',
    open() {
      const d = new RingCoreDevice(opts);
      live.add(d);
      return d;
    },
    shutdown() {
      for (const d of live) d.dispose();
      live.clear();
    },
  };
}
export { RING_FAULTS, type RingFault } from './faults.ts';
