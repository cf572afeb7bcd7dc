// One-line replays: `accel-replay {"backend":…,"seed":…,"events":[…]}`. Every failure the suite
// reports carries one; replayAccel() runs it again on a backend and says where it disagrees.
import type { AccelBackend, AccelEvent } from '../../spec/accel-device.ts';
import { parse, show } from './format.ts';
import { AccelRunner } from './runner.ts';

const PREFIX = 'accel-replay ';

export interface Replay {
  backend: string;
  seed: number;
  seqnoStart?: bigint;
  events: AccelEvent[];
}

export function encodeReplay(r: Replay): string {
  return PREFIX + show(r);
}

export function decodeReplay(line: string): Replay {
  const at = line.indexOf(PREFIX);
  if (at < 0) throw new Error(`not an accel replay line: ${line.slice(0, 60)}`);
  return parse<Replay>(line.slice(at + PREFIX.length).trim());
}

export interface ReplayOutcome {
  ok: boolean;
  /** The disagreement, with its step number. */
  message: string | null;
  /** How many events agreed before it. */
  agreed: number;
}

/** Runs a replay line on a fresh session of `backend`. */
export async function replayAccel(backend: AccelBackend, line: string): Promise<ReplayOutcome> {
  const r = decodeReplay(line);
  const device = await backend.open();
  try {
    const runner = new AccelRunner(device, r.seqnoStart === undefined ? { seed: r.seed } : { seed: r.seed, seqnoStart: r.seqnoStart });
    const message = await runner.run(r.events);
    return { ok: message === null, message, agreed: runner.log.length };
  } finally {
    await device.dispose();
  }
}
