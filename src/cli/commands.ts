// The one list of CLI commands; each lives in its own file.
import type { Command } from './args.ts';
import { startCommand } from './start.ts';
import { setupCommand } from './setup.ts';
import { migrateCommand } from './migrate.ts';

export const commands: Record<string, Command> = {
  start: startCommand,
  setup: setupCommand,
  migrate: migrateCommand,
};
