import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** A command could not do its work; the message says what happened and what to do (exit 1). */
export class CommandFailed extends Error {
  override name = 'CommandFailed';
}

export interface Command {
  summary: string;
  help: string;
  /** Returns the exit code, or -1 when the process must stay alive (a server). */
  run(argv: string[]): Promise<number>;
}

/** node:util parseArgs with errors that name the command and point at --help. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(command: string, argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError(`${command}: ${(err as Error).message.replace(/\. To specify.*$/s, '')}. See "portier ${command} --help".`);
  }
}
