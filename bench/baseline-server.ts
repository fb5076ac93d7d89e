// The yardstick: a bare Fastify server answering GET / with {"status":"ok"}, no plugins, no logger,
// no database. Portier's numbers are read against it, measured by the same load generator in the
// same run, so the ratio says what Portier's own work costs on this machine today.
//
// Usage (bench/run.ts does this): PORT=… node bin/run-ts.js bench/baseline-server.ts
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ status: 'ok' }));

await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
