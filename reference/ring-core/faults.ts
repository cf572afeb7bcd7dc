// Deliberately broken ring cores (mutants): each fault is one small, named departure from the
// kernel at one place in the core. The conformance suite must catch every one
// (test/conformance/suite.test.ts, buffer.test.ts, sync.test.ts); they exist to prove the suite can
// fail, never for use.

export const RING_FAULTS = {
  'pause-state-first': 'PAUSE checks the state before INFO_PAUSE (EBADFD where the kernel says ENOSYS)',
  'resume-support-first': 'RESUME checks INFO_RESUME before the state (ENOSYS where the kernel says EBADFD)',
  'start-without-data': 'START runs a playback stream with nothing queued instead of EPIPE',
  'no-xrun': 'an update never stops a stream whose avail reached stop_threshold',
  'delay-off-by-one': 'DELAY reports one frame more than the kernel',
  'group-partial': 'a group action changes the members that pass their pre-check although another refused',
  'status-state-after-update': 'STATUS reports the state after its hw_ptr update, not before',
  'hw-free-clears-info': 'HW_FREE clears runtime->info (the kernel leaves it)',
  'prepare-keeps-appl': 'PREPARE leaves appl_ptr where it was instead of lining it up with hw_ptr',
  'capture-draining-readable': 'reads are allowed on a capture stream in DRAINING',
  'boundary-halved': 'the boundary stops one doubling short of the largest that fits',
  'sync-ptr-needs-setup': 'SYNC_PTR without HWSYNC is refused in OPEN',
} as const;

/** Departures in the buffer allocator and the managed lifecycle (spec/pcm/managed.md), caught by
 * the buffer suite (conformance/buffer). */
export const MEMORY_FAULTS = {
  'alloc-after-driver-hw-params': "a managed HW_PARAMS allocates after the driver's hw_params callback, not before",
  'prealloc-limit-ignored': 'HW_PARAMS above the preallocated size allocates a buffer instead of failing with EINVAL',
  'card-limit-aligned': 'the card limit is checked against the page-aligned size, not the size asked for',
  'hw-params-failure-keeps-buffer': 'a failed HW_PARAMS keeps the runtime buffer instead of releasing it',
  'proc-write-reports-error': 'a prealloc write reports its error instead of swallowing it',
} as const;

/** Departures at the DMA sync points (spec/pcm/sync.md), caught by the sync suite
 * (conformance/sync). */
export const SYNC_FAULTS = {
  'explicit-sync-on-demand': 'a managed NONCOHERENT substream allocating on demand is opened with EXPLICIT_SYNC too',
  'no-device-sync-on-write': 'a playback transfer does not make its DEVICE sync after copying',
  'no-cpu-sync-on-read': 'a capture transfer does not make its CPU sync before copying',
  'no-sync-after-silence': 'silence filling does not make its DEVICE sync',
  'sync-ptr-appl-syncs': 'SYNC_PTR with the APPL flag makes a DEVICE sync as well',
} as const;

export type RingFault = keyof typeof RING_FAULTS | keyof typeof MEMORY_FAULTS | keyof typeof SYNC_FAULTS;
