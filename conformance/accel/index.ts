// The accel conformance suite: runAccelSuite() is the entry point `alsa-spec check` calls.
export { runAccelSuite, type AccelResult, type AccelStatus, type AccelSuiteOptions, type AccelSuiteReport } from './suite.ts';
export { ACCEL_RULE_IDS, type AccelCoverage, type RuleVerdict } from './coverage.ts';
export { replayAccel, encodeReplay, decodeReplay, type Replay, type ReplayOutcome } from './replay.ts';
export { generatePaths, type GeneratedPath } from './paths.ts';
export { runRandom, type RandomOptions, type RandomReport } from './random.ts';
export { AccelRunner, type StepRecord } from './runner.ts';
export { AccelModel, STREAM_EDGES, TASK_EDGES, allTransitionLabels } from './model.ts';
export { expectedOutput, inputPattern } from './oracle.ts';
export { ACCEL_MUTANTS, type AccelMutant } from './mutants.ts';
export { DEBIAN_NO_ACCEL, debianKernelAccelBackend, probeAccelModule, unsupportedAccelBackend } from './kernel.ts';
