// The e-mail entrance's connection, seen from the settings form: the stored settings with secrets
// masked, "Test connection" (stored settings, optionally with unsaved changes on top, never saved
// here) and the usual settings of well-known providers for an address.
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { EmailConfigSchema, type EmailConfig } from '../../channels/email/imap-connection.ts';
import { knownProviderSettings } from '../../channels/email/imap-providers.ts';
import { testEmailConnection } from '../../channels/email/imap-test-connection.ts';
import { AppError } from '../../core/errors.ts';
import { openEntranceConfig } from '../../entrances/entrance-config.ts';
import { depthOf, mergeConfig, redactConfig } from '../../entrances/merge-config.ts';
import { findEntrance } from '../../storage/repositories/entrances.ts';
import type { Api } from '../api.ts';
import type { AppContext } from '../context.ts';
import { authOf, requireAuth } from '../plugins/auth.ts';
import { EntranceKind, errorResponses, IdParams } from '../schemas.ts';

const TlsMode = Type.Union([Type.Literal('implicit'), Type.Literal('starttls'), Type.Literal('none')]);
const ServerOut = Type.Object({ host: Type.String(), port: Type.Integer(), secure: TlsMode });
const ProviderOut = Type.Object({ name: Type.String(), imap: ServerOut, smtp: ServerOut, note: Type.Optional(Type.String()) }, { description: 'The usual settings of a well-known provider' });
const Step = Type.Union(['dns', 'tcp', 'tls', 'login', 'folders', 'send'].map((s) => Type.Literal(s)));
const CheckOut = Type.Object({
  ok: Type.Boolean(),
  step: Step,
  message: Type.String({ description: 'What happened, in plain words, with the server\'s own' }),
  help: Type.Optional(Type.String({ description: 'What to do about it' })),
});
const ConnectionReportOut = Type.Object({
  ok: Type.Boolean(),
  imap: CheckOut,
  smtp: Type.Union([CheckOut, Type.Null()]),
  folders: Type.Optional(Type.Array(Type.String())),
  suggestedSentFolder: Type.Optional(Type.String()),
  provider: Type.Optional(ProviderOut),
});

const ConfigChange = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 50 });

/** The settings `change` makes of `stored`, validated, then tested (never saved). */
async function testMerged(stored: Record<string, unknown>, change: Record<string, unknown>) {
  if (depthOf(change) > 6) throw new AppError('validation_failed', 'The settings are nested too deeply.', { errors: [{ field: 'body.config', message: 'is too deep' }] });
  const merged = mergeConfig(stored, change);
  if (!Value.Check(EmailConfigSchema, merged)) {
    const errors = [...Value.Errors(EmailConfigSchema, merged)].slice(0, 5).map((e) => ({ field: `body.config${e.path.replaceAll('/', '.')}`, message: e.message }));
    throw new AppError('validation_failed', errors.map((e) => `${e.field} ${e.message}`).join('; '), { errors });
  }
  return testEmailConnection(merged as EmailConfig);
}

export function registerEntranceConnectionRoutes(app: Api, ctx: AppContext): void {
  const db = ctx.storage.db;

  const requireEntrance = async (workspaceId: string, id: string) => {
    const e = await findEntrance(db, workspaceId, id);
    if (!e) throw new AppError('not_found', 'No such entrance in this workspace.');
    return e;
  };

  app.get('/api/v1/entrances/:id/settings', {
    schema: {
      tags: ['entrances'],
      summary: 'An entrance\'s connector settings, secrets masked',
      description: 'Each secret (password, accessToken, signingSecret) that is set shows as {"set":true}; one that is not set is absent. Secret values are never returned.',
      params: IdParams,
      response: { 200: Type.Object({ kind: EntranceKind, config: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]) }), ...errorResponses(401, 404) },
    },
    onRequest: requireAuth(),
  }, async (request) => {
    const entrance = await requireEntrance(authOf(request).workspaceId, request.params.id);
    const config = openEntranceConfig(ctx.secrets, entrance);
    return { kind: entrance.kind, config: config ? redactConfig(config) : null };
  });

  app.post('/api/v1/entrances/:id/test-connection', {
    schema: {
      tags: ['entrances'],
      summary: 'Test an e-mail entrance\'s IMAP (and SMTP) connection',
      description: 'Walks DNS, TCP, TLS, login and folders (and the SMTP login when set), stopping at the first failing step with a plain-words message and advice. `config` (optional) holds unsaved changes, merged onto the stored settings as PATCH would, but not saved. At most 10 tests a minute.',
      params: IdParams,
      body: Type.Object({ config: Type.Optional(ConfigChange) }, { additionalProperties: false }),
      response: { 200: ConnectionReportOut, ...errorResponses(400, 401, 403, 404, 409, 429) },
    },
    config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
    onRequest: requireAuth(),
  }, async (request) => {
    const entrance = await requireEntrance(authOf(request).workspaceId, request.params.id);
    if (entrance.kind !== 'email') throw new AppError('conflict', `Only an e-mail entrance has a connection to test; this one is ${entrance.kind}.`);
    const change = request.body?.config;
    const stored = openEntranceConfig(ctx.secrets, entrance);
    if (!stored && !change) throw new AppError('conflict', 'This e-mail entrance has no mail server settings yet: enter them first.');
    return testMerged(stored ?? {}, change ?? {});
  });

  app.post('/api/v1/email-connection-test', {
    schema: {
      tags: ['entrances'],
      summary: 'Test e-mail settings before an entrance holds them',
      description: 'The same test as POST /api/v1/entrances/{id}/test-connection, for complete settings typed into the form for a new entrance. Nothing is saved. At most 10 tests a minute.',
      body: Type.Object({ config: ConfigChange }, { additionalProperties: false }),
      response: { 200: ConnectionReportOut, ...errorResponses(400, 401, 403, 429) },
    },
    config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
    onRequest: requireAuth(),
  }, async (request) => testMerged({}, request.body.config));

  app.get('/api/v1/email-providers', {
    schema: {
      tags: ['entrances'],
      summary: 'The usual IMAP and SMTP settings for an address\'s provider',
      querystring: Type.Object({ address: Type.String({ minLength: 1, maxLength: 320 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ provider: Type.Union([ProviderOut, Type.Null()]) }), ...errorResponses(400, 401) },
    },
    onRequest: requireAuth(),
  }, async (request) => ({ provider: knownProviderSettings(request.query.address) }));
}
