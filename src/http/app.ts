// Builds the HTTP application without listening, so tests can `inject()` into the very same app
// the server runs. Plugins are registered in a fixed order: parsing and errors, security headers,
// cookies and rate limits, the OpenAPI document, who is asking, then routes, then the web app.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../core/errors.ts';
import type { AppContext } from './context.ts';
import { registerJsonBodyParser } from './plugins/json-body.ts';
import { registerAddressGuard } from './plugins/unstorable-text.ts';
import { registerSecurityHeaders } from './plugins/security-headers.ts';
import { registerProblemHandler } from './plugins/problem-handler.ts';
import { registerAuth } from './plugins/auth.ts';
import { Problem } from './schemas.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerSetupRoutes } from './routes/setup.ts';
import { registerSessionRoutes } from './routes/session.ts';
import { registerWorkspaceRoutes } from './routes/workspace.ts';
import { registerAccountRoutes } from './routes/account.ts';
import { registerTokenRoutes } from './routes/tokens.ts';
import { registerEntranceRoutes } from './routes/entrances.ts';
import { registerEntranceConnectionRoutes } from './routes/entrance-connection.ts';
import { registerEntranceDomainCheckRoutes } from './routes/entrance-domain-check.ts';
import { registerConversationRoutes } from './routes/conversations.ts';
import { registerAttachmentRoutes } from './routes/attachments.ts';
import { registerHookRoutes } from './routes/hooks.ts';
import { registerPublicRoutes } from '../public/contact-routes.ts';
import { registerConversationActionRoutes } from './routes/conversation-actions.ts';
import { registerLiveRoutes } from './routes/live.ts';
import { registerTemplateRoutes } from './routes/templates.ts';
import { registerContactRoutes } from './routes/contacts.ts';
import { registerContactSuggestionRoutes } from './routes/contact-suggestions.ts';
import { registerSearchRoutes } from './routes/search.ts';
import { registerUserRoutes } from './routes/users.ts';
import { registerMessageHtmlRoutes } from './routes/message-html.ts';
import type { Api } from './api.ts';
import { projectPath } from '../paths.ts';

export const WEB_DIST = projectPath('web/dist/');
/** JSON bodies above this are refused with 413 (routes that take uploads set their own limit). */
export const BODY_LIMIT_BYTES = 256 * 1024;

export async function buildApp(ctx: AppContext, options: { webDist?: string | null } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: ctx.config.trustProxy,
    requestIdHeader: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as Api;

  registerJsonBodyParser(app);
  registerAddressGuard(app);
  registerProblemHandler(app);
  app.addSchema(Problem);

  registerSecurityHeaders(app, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        manifestSrc: ["'self'"],
        formAction: ["'self'"],
        // E-mail HTML is shown in a sandboxed frame served by Portier itself (routes/message-html.ts).
        frameSrc: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: ctx.config.publicUrl.startsWith('https:'),
  });
  await app.register(cookie);
  // Per-route limits only (login, setup, public forms); the store is in-process, so with several
  // nodes each enforces its own share. Sign-in failures are also counted in the database.
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, context) => new AppError('rate_limited', `Too many requests. Try again in ${Math.ceil(context.ttl / 1000)} second(s).`, { headers: { 'retry-after': String(Math.ceil(context.ttl / 1000)) } }),
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Portier API',
        version: '1',
        description: 'Every entrance of a solo professional\'s shop in one place. Authenticate with the session cookie (plus the X-CSRF-Token header for changes) or with "Authorization: Bearer <API token>". Errors are RFC 9457 problem details with a stable `code`.',
        license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'portier_session' } } },
      security: [{ bearer: [] }, { session: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (json.$id as string) || `def-${i}` },
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    uiConfig: { docExpansion: 'list', deepLinking: false },
  });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerAuth(app, ctx);

  registerHealthRoutes(app, ctx);
  registerSetupRoutes(app, ctx);
  registerSessionRoutes(app, ctx);
  registerWorkspaceRoutes(app, ctx);
  registerAccountRoutes(app, ctx);
  registerTokenRoutes(app, ctx);
  registerEntranceRoutes(app, ctx);
  registerEntranceConnectionRoutes(app, ctx);
  registerConversationRoutes(app, ctx);
  registerConversationActionRoutes(app, ctx);
  registerAttachmentRoutes(app, ctx);
  registerLiveRoutes(app, ctx);
  registerTemplateRoutes(app, ctx);
  registerContactRoutes(app, ctx);
  registerContactSuggestionRoutes(app, ctx);
  registerEntranceDomainCheckRoutes(app, ctx);
  registerSearchRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  await registerHookRoutes(app, ctx);
  registerMessageHtmlRoutes(app, ctx);
  await registerPublicRoutes(app, ctx);

  const webDist = options.webDist === undefined ? WEB_DIST : options.webDist;
  if (webDist && existsSync(join(webDist, 'index.html'))) {
    await app.register(fastifyStatic, { root: webDist, wildcard: false, index: false, maxAge: '1h', immutable: false });
    // Client-side routes (/inbox, /settings, …) all load the single page; API paths never do.
    app.get('/*', { schema: { hide: true } }, async (request, reply) => {
      if (request.url.startsWith('/api/')) throw new AppError('not_found', `There is nothing at GET ${request.url.split('?')[0]}.`);
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    });
  } else {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/plain; charset=utf-8').send('Portier is running, but the web app is not built. Run `npm run build:web` and reload.\nThe API is at /api/v1 (documentation at /api/docs).\n'),
    );
  }

  return app;
}
