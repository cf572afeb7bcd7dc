// The sync conformance suite (spec/pcm/sync.md): runSyncSuite() is what `alsa-spec check` calls.
export { runSyncSuite, SYNC_MACHINE_ID, type SyncSuiteOptions } from './suite.ts';
export { runSyncSequence, type SyncRunResult } from './runner.ts';
export { SyncTracker, viewsAgree } from './tracker.ts';
export { SyncModel, syncEdgeIds } from './model.ts';
export { planProbePaths, probeEvents, runProbePath } from './probe.ts';
export { SYNC_SCENARIOS } from './scenarios.ts';
export { runSyncDataTests, type DataExpectation } from './data.ts';
