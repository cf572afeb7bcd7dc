// The machines `alsa-spec diagrams` draws by default and whose copies are checked in under
// reports/diagrams/ (test/reports/diagrams-fresh.test.ts fails when those copies are stale).
// Add each machine of machines/ here as it lands.
import type { AnyStateMachine } from 'xstate';
import { accelMachine, taskMachine } from '../machines/accel/index.ts';
import { bufferMachine } from '../machines/buffer/index.ts';
import { createPcmMachine } from '../machines/pcm/machine.ts';
import { syncMachine } from '../machines/sync/index.ts';

/** The one-file PCM machine (the two-file one is drawn as notes on it: every state follows a peer). */
export const DIAGRAM_MACHINES: readonly AnyStateMachine[] = [
  createPcmMachine(1) as unknown as AnyStateMachine,
  accelMachine as unknown as AnyStateMachine,
  taskMachine as unknown as AnyStateMachine,
  bufferMachine as unknown as AnyStateMachine,
  syncMachine as unknown as AnyStateMachine,
];

/** Where the checked-in diagram set lives, relative to the repository root. */
export const DIAGRAMS_DIR = 'reports/diagrams';
