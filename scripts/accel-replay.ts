// Replays an accel failure from its one-line replay on the reference accelerator (with the fault
// its backend name carries, e.g. reference-accel!lifo) and prints where it disagrees.
//   tsx scripts/accel-replay.ts 'accel-replay {"backend":…}'
import { decodeReplay, replayAccel } from '../conformance/accel/index.ts';
import { ACCEL_FAULTS, referenceAccelBackend, type AccelFault } from '../reference/accel/index.ts';

const line = process.argv.slice(2).join(' ');
const r = decodeReplay(line);
const [base, fault] = r.backend.split('!');
if (base !== 'reference-accel' || (fault !== undefined && !(fault in ACCEL_FAULTS))) {
  console.error(`cannot replay on backend ${r.backend} from here: only reference-accel[!fault]`);
  process.exit(2);
}
const backend = referenceAccelBackend({ fault: (fault as AccelFault | undefined) ?? null, ...(r.seqnoStart === undefined ? {} : { seqnoStart: r.seqnoStart }) });
const out = await replayAccel(backend, line);
await backend.shutdown();
console.log(out.ok ? `agrees with the model (${out.agreed} steps)` : `disagrees after ${out.agreed} steps: ${out.message}`);
process.exit(out.ok ? 0 : 1);
