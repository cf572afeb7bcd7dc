// A stand-in for cli/main.ts in the reports tests: a program with only the reports subcommands,
// drawing the fixture machines.
import { Command } from 'commander';
import { registerReportCommands } from '../../cli/reports.ts';
import { FIXTURE_MACHINES } from './fixtures/index.ts';

const program = new Command('alsa-spec');
registerReportCommands(program, { machines: () => FIXTURE_MACHINES });
await program.parseAsync(process.argv);
