// Deliberately broken ring cores (mutants): each fault is one small, named departure from the
// kernel at one place in the core. The conformance suite must catch every one
// (test/conformance/mutants.test.ts); they exist to prove the suite can fail, never for use.

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

export type RingFault = keyof typeof RING_FAULTS;
