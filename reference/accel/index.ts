// The reference accelerator: a compress core (accel part) after sound/core/compress_offload.c and a
// sample-format / sample-rate converter behind the AccelDevice seam.
export { referenceAccelBackend, type ReferenceAccelOptions } from './backend.ts';
export { ACCEL_FAULTS, type AccelFault } from './faults.ts';
export { REFERENCE_ACCEPTS, REFERENCE_CAPS } from './info.ts';
export { ReferenceAccelSession } from './session.ts';
