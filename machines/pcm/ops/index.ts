// Every op the PCM machine knows, by command type.
import type { CommandType } from '../../../spec/device.ts';
import type { OpSpec } from '../edges.ts';
import { DEVICE_OPS } from './device.ts';
import { FILE_OPS } from './file.ts';
import { LINK_OPS } from './link.ts';
import { PARAM_OPS } from './params.ts';
import { POINTER_OPS } from './pointers.ts';
import { PROC_OPS } from './proc.ts';
import { TRANSFER_OPS } from './transfer.ts';
import { TRIGGER_OPS } from './trigger.ts';

const ALL_OPS: readonly OpSpec[] = [
  ...FILE_OPS, ...PARAM_OPS, ...TRIGGER_OPS, ...POINTER_OPS, ...TRANSFER_OPS, ...LINK_OPS, ...DEVICE_OPS, ...PROC_OPS,
] as readonly OpSpec[];

export const OPS: Readonly<Record<CommandType, OpSpec>> = Object.fromEntries(ALL_OPS.map((o) => [o.type, o])) as Record<
  CommandType,
  OpSpec
>;
