// The machines `alsa-spec diagrams` draws by default and whose copies are checked in under
// reports/diagrams/ (test/reports/diagrams-fresh.test.ts fails when those copies are stale).
// Add each machine of machines/ here as it lands.
import type { AnyStateMachine } from 'xstate';

export const DIAGRAM_MACHINES: readonly AnyStateMachine[] = [];

/** Where the checked-in diagram set lives, relative to the repository root. */
export const DIAGRAMS_DIR = 'reports/diagrams';
