// `portier <command>`: one entry point for the server and every administrative task.
import { ConfigError } from '../config.ts';
import { AppError } from '../core/errors.ts';
import { commands } from './commands.ts';

const USAGE = `Usage: portier <command> [options]

Commands:
${Object.entries(commands).map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`).join('\n')}

Run "portier <command> --help" for the options of one command.
Configuration comes from environment variables (or a .env file); see "portier start --help".`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`portier: unknown command "${name}".\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  return command.run(rest);
}

try {
  const code = await main(process.argv.slice(2));
  if (code !== -1) process.exitCode = code; // -1: a long-running command (start) keeps the process alive
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else if (err instanceof AppError || (err instanceof Error && err.name === 'CommandFailed')) {
    console.error(`portier: ${err.message}`);
  } else if (err instanceof Error && err.name === 'UsageError') {
    console.error(`portier: ${err.message}`);
    process.exitCode = 2;
  } else {
    console.error('portier: unexpected failure:', err);
  }
  process.exitCode ||= 1;
}
