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
  /** What the playback devices of the open sessions consumed since the last call (their sinks). */
  played(): Promise<Uint8Array>;
}

export function ringCoreBackend(options: RingCoreOptions = {}): RingCoreBackend {
  const opts = resolveOptions(options);
  const live = new Set<RingCoreDevice>();
  return {
    name: 'ring-core',
    open() {
      const d = new RingCoreDevice(opts);
      live.add(d);
      const dispose = d.dispose.bind(d);
      d.dispose = () => {
        live.delete(d);
        dispose();
      };
      return d;
    },
    async played() {
      const parts = [...live].map((d) => d.takeSink());
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) out.set(p, at), (at += p.length);
      return out;
    },
    shutdown() {
      for (const d of live) d.dispose();
      live.clear();
    },
  };
}
export { MEMORY_FAULTS, RING_FAULTS, SYNC_FAULTS, type RingFault } from './faults.ts';
export type { DmaProbe, MemoryView } from './session.ts';
export { POISON } from './dma.ts';
