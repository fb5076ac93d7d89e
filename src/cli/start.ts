import { CONFIG_REFERENCE, loadConfig } from '../config.ts';
import { parseOptions, type Command } from './args.ts';

export const startCommand: Command = {
  summary: 'run the server (web app, API, jobs)',
  help: `Usage: portier start [--demo]

Starts Portier: applies pending database migrations, serves the web app and the API, runs jobs.
On first start it prints a one-time link to create the first workspace.

Options:
  --demo   fill an empty installation with a demo workspace (a trainer in Lausanne) to explore

Environment:
${CONFIG_REFERENCE.map(([k, v]) => `  ${k.padEnd(26)} ${v}`).join('\n')}
  Every secret may also be given as NAME_FILE, the path of a file holding it.`,
  async run(argv) {
    const { values } = parseOptions('start', argv, { demo: { type: 'boolean' } });
    const config = loadConfig();
    // Loaded here rather than at the top so that `portier <anything> --help` does not load Fastify.
    const { startServer } = await import('../server.ts');
    const { buildWebIfNeeded } = await import('./build-web.ts');
    await buildWebIfNeeded();
    const server = await startServer(config, {
      onReady: values.demo ? async (ctx) => void (await (await import('../demo/seed-demo.ts')).seedDemoIfEmpty(ctx)) : undefined,
    });
    const stop = async (signal: string) => {
      server.context.logger.info(`received ${signal}, shutting down`);
      const timer = setTimeout(() => process.exit(1), 10_000);
      timer.unref();
      await server.close();
      process.exit(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
    return -1;
  },
};
