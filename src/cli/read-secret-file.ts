import { readFileSync } from 'node:fs';
import { UsageError } from './args.ts';

/**
 * Reads a password from a file ("-" for stdin) rather than from an argument, which would be
 * visible to every user of the machine in `ps` and kept in the shell history.
 */
export function readSecretFile(command: string, file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new UsageError(`${command}: cannot read the password file ${file} (${(err as NodeJS.ErrnoException).code ?? err}).`);
  }
}
