/**
 * Every `virtbench` sub-command, one file each under src/cli/. A command file parses its
 * arguments, calls one function of the pipeline, and sets process.exitCode.
 */
import type { CommandModule } from 'yargs';
import { runCommand } from './run.js';
import { compareCommand } from './compare.js';
import { reproduceCommand } from './reproduce.js';
import { importReferenceCommand } from './import-reference.js';
import { importCommand } from './import.js';
import { reportCommand } from './report.js';
import { guestsCommand } from './guests.js';
import { doctorCommand } from './doctor.js';
import { historyCommand } from './history.js';
import { calibrateCommand } from './calibrate.js';
import { exportCommand } from './export.js';

export const commands: CommandModule<{ debug: boolean }, any>[] = [];
commands.push(reportCommand);
commands.push(importReferenceCommand);
commands.push(importCommand);
commands.push(compareCommand);
commands.push(reproduceCommand);
commands.push(runCommand);
commands.push(guestsCommand);
commands.push(doctorCommand);
commands.push(historyCommand);
commands.push(calibrateCommand);
commands.push(exportCommand);
