// `portier demo`: the demo workspace without starting the server (`portier start --demo` does both).
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { parseOptions, type Command } from './args.ts';
import { withStorage } from './with-storage.ts';

export const demoCommand: Command = {
  summary: 'fill an empty installation with a demo workspace',
  help: `Usage: portier demo

Creates the demo workspace @claire-rochat — Claire Rochat, a freelance trainer of adults in
Lausanne — with entrances, contacts and conversations in French, German and English, some of
them waiting for a reply. Prints the e-mail address and a new random password to sign in with.
Does nothing when the installation already has a workspace: demo data never mixes with real data.
"portier start --demo" does the same, then starts the server.`,
  async run(argv) {
    parseOptions('demo', argv, {});
    const config = loadConfig();
    const { seedDemoIfEmpty } = await import('../demo/seed-demo.ts');
    return withStorage(config, async (storage) => {
      // The command prints its own summary; the log only carries warnings and errors.
      const logger = createLogger({ logLevel: config.logLevel === 'silent' ? 'silent' : 'warn' }, false);
      const result = await seedDemoIfEmpty({ storage, logger });
      if (result.created) console.log(`Start Portier with "portier start" and sign in at ${config.publicUrl}/signin`);
      return 0;
    }, { migrate: true });
  },
};
