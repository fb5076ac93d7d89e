// Security headers (CSP, HSTS, nosniff, frame and referrer policies) on every answer, by helmet.
// Its middleware is built once here: the Fastify plugin rebuilt it on every request, parsing every
// CSP directive anew, which cost a twentieth of a webhook delivery's CPU.
import helmet, { type HelmetOptions } from 'helmet';
import type { FastifyInstance } from 'fastify';

export function registerSecurityHeaders(app: FastifyInstance, options: HelmetOptions): void {
  const apply = helmet(options);
  app.addHook('onRequest', (request, reply, done) => apply(request.raw, reply.raw, (err?: unknown) => done(err as Error | undefined)));
}
