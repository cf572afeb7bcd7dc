// The buffer conformance suite (spec/pcm/managed.md): runBufferSuite() is what `alsa-spec check`
// calls for each memory profile.
export { runBufferSuite, BUFFER_MACHINE_ID, type BufferSuiteOptions } from './suite.ts';
export { runBufferSequence, type BufferRunResult } from './runner.ts';
export { planBufferPaths, bufferKey, type BufferPlan } from './paths.ts';
export { BufferModel, bufferEdgeIds } from './model.ts';
export { bufferEvents, bufferEventArbitrary, config, SIZES, PROC_TEXTS } from './vocabulary.ts';
export { inspectable, type BufferInspection, type MemoryShown } from './inspect.ts';
