// Progress on stderr: a bar per phase on a terminal (cli-progress), one line per phase otherwise.
import cliProgress from 'cli-progress';
import type { Progress } from '../conformance/suite.ts';

export function makeProgress(enabled = true): Progress & { stop(): void } {
  const tty = process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | null = null;
  let done = 0;
  const stop = () => {
    bar?.stop();
    bar = null;
  };
  return {
    phase(name, total) {
      stop();
      done = 0;
      if (!enabled) return;
      if (!tty) {
        process.stderr.write(`  ${name} (${total})\n`);
        return;
      }
      bar = new cliProgress.SingleBar(
        { format: `  {bar} {value}/{total} ${name}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    tick(n = 1) {
      done += n;
      bar?.update(done);
    },
    stop,
  };
}
