// Shared setup for the ring-core tests: a fresh session per test and short-hands for the usual
// command sequences. Each helper asserts that its steps succeed, so a test reads as its scenario.
import assert from 'node:assert/strict';
import type { Command, HwConfig, OkOutcome, Outcome, StatusValue, SwConfig } from '../../spec/device.ts';
import type { StreamDir } from '../../spec/abi/states.ts';
import { ringCoreBackend, type RingCoreDevice, type RingCoreOptions } from '../../reference/ring-core/index.ts';

export function session(options: RingCoreOptions = {}): RingCoreDevice {
  return ringCoreBackend(options).open();
}

/** S16_LE stereo (4-byte frames), 48 kHz, `period` frames × `periods`. */
export function hw(period = 64, periods = 4, over: Partial<HwConfig> = {}): HwConfig {
  return { access: 'RW_INTERLEAVED', format: 'S16_LE', channels: 2, rate: 48000, period_size: period, periods, ...over };
}

export function sw(over: Partial<SwConfig> & { buffer: number; period: number }): SwConfig {
  const { buffer, period, ...rest } = over;
  return {
    avail_min: BigInt(period),
    start_threshold: 1n,
    stop_threshold: BigInt(buffer),
    silence_threshold: 0n,
    silence_size: 0n,
    ...rest,
  };
}

/** JSON with bigints, for assertion messages. */
export const show = (x: unknown): string => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));

export function run(dev: RingCoreDevice, cmd: Command): Outcome {
  const r = dev.exec(cmd);
  if (r instanceof Promise) throw new Error('the ring core answers synchronously');
  return r;
}

/** Runs a command that must succeed and returns its outcome. */
export function must(dev: RingCoreDevice, cmd: Command): OkOutcome {
  const r = run(dev, cmd);
  if (!r.ok) assert.fail(`${cmd.type} failed: ${show(r)}`);
  return r;
}

/** Runs a command that must fail with `errno` (and `rule`, when given). */
export function refused(dev: RingCoreDevice, cmd: Command, errno: string, rule?: string): void {
  const r = run(dev, cmd);
  assert.equal(r.ok, false, `${cmd.type} should fail with ${errno}`);
  if (!r.ok) {
    assert.equal(r.errno, errno);
    if (rule) assert.equal(r.rule, rule);
  }
}

/** OPEN + HW_PARAMS (+ SW_PARAMS when given) + PREPARE. */
export function prepared(
  dev: RingCoreDevice,
  fd: number,
  stream: StreamDir,
  params: HwConfig = hw(),
  swp?: Partial<SwConfig>,
  nonblock = true,
): void {
  must(dev, { type: 'OPEN', fd, stream, nonblock });
  must(dev, { type: 'HW_PARAMS', fd, params });
  const buffer = params.period_size * params.periods;
  if (swp) must(dev, { type: 'SW_PARAMS', fd, params: sw({ buffer, period: params.period_size, ...swp }) });
  must(dev, { type: 'PREPARE', fd });
}

export function status(dev: RingCoreDevice, fd: number): StatusValue {
  const s = must(dev, { type: 'STATUS', fd, ext: false }).status;
  assert.ok(s);
  return s;
}

export function value(dev: RingCoreDevice, cmd: Command): bigint {
  const v = must(dev, cmd).value;
  assert.notEqual(v, undefined, `${cmd.type} returned no value`);
  return v!;
}

export const advance = (dev: RingCoreDevice, fd: number, frames: number): bigint => value(dev, { type: 'ADVANCE', fd, frames });
export const write = (dev: RingCoreDevice, fd: number, frames: number, data?: Uint8Array): bigint =>
  value(dev, data ? { type: 'WRITEI', fd, frames, data } : { type: 'WRITEI', fd, frames });
export const state = (dev: RingCoreDevice, fd: number) => dev.debug(fd).state;
