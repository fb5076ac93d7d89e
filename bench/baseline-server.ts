// The yardstick: a bare Fastify server, no plugins, no logger, no database. Portier's numbers are
// read against it, measured by the same load generator in the same run, so the ratio says what
// Portier's own work costs on this machine today.
//  - GET /      → {"status":"ok"}
//  - POST /json → parses and validates a ~1 KB JSON body shaped like a webhook delivery (the same
//    fields as Portier's webhook payload), answers {"ok":true}: the ceiling for the `ingest` case.
//
// Usage (bench/run.ts does this): PORT=… node bin/run-ts.js bench/baseline-server.ts
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ status: 'ok' }));
app.post('/json', {
  schema: {
    body: {
      type: 'object',
      required: ['id', 'sender', 'text'],
      properties: {
        id: { type: 'string', minLength: 1, maxLength: 200 },
        sender: { type: 'object', properties: { name: { type: 'string' }, email: { type: 'string' } }, additionalProperties: false },
        subject: { type: 'string', maxLength: 500 },
        text: { type: 'string', maxLength: 100_000 },
      },
      additionalProperties: false,
    },
    response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } },
  },
}, async () => ({ ok: true }));

await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
