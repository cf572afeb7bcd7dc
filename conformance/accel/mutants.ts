// Deliberately broken accelerators: the reference with one fault each (reference/accel/faults.ts).
// The suite must fail on every one of them; test/accel/mutants.test.ts checks that it does.
import type { AccelBackend } from '../../spec/accel-device.ts';
import { ACCEL_FAULTS, referenceAccelBackend, type AccelFault } from '../../reference/accel/index.ts';

export interface AccelMutant {
  fault: AccelFault;
  description: string;
  backend: () => AccelBackend;
}

export const ACCEL_MUTANTS: AccelMutant[] = (Object.keys(ACCEL_FAULTS) as AccelFault[]).map((fault) => ({
  fault,
  description: ACCEL_FAULTS[fault],
  backend: () => referenceAccelBackend({ fault }),
}));
