// The one list of CLI commands; each lives in its own file.
import type { Command } from './args.ts';
import { startCommand } from './start.ts';
import { setupCommand } from './setup.ts';
import { migrateCommand } from './migrate.ts';
import { demoCommand } from './demo.ts';
import { tokenCommand } from './token.ts';
import { userCommand } from './user.ts';
import { backupCommand } from './backup.ts';
import { restoreCommand } from './restore.ts';
import { doctorCommand } from './doctor.ts';
import { entranceCommand } from './entrance.ts';
import { inspectEmailCommand } from './inspect-email.ts';

export const commands: Record<string, Command> = {
  start: startCommand,
  setup: setupCommand,
  migrate: migrateCommand,
  demo: demoCommand,
  token: tokenCommand,
  user: userCommand,
  backup: backupCommand,
  restore: restoreCommand,
  doctor: doctorCommand,
  entrance: entranceCommand,
  'inspect-email': inspectEmailCommand,
};
