// Inbound webhooks: POST /hooks/<entranceId>. The adapter verifies the signature over the raw bytes
// and maps the body; the reply is sent only after every message is durably stored, so a sender that
// sees 200 may forget the delivery, and one that sees anything else retries it.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ChannelError } from '../../channels/contract.ts';
import { adapterFor } from '../../channels/registry.ts';
import { AppError } from '../../core/errors.ts';
import { openEntranceConfig } from '../../entrances/entrance-config.ts';
import { ingestMessage } from '../../ingest/ingest-message.ts';
import { findEntranceById } from '../../storage/repositories/entrances.ts';
import type { Entrance } from '../../storage/schema.ts';
import type { Api } from '../api.ts';
import type { AppContext } from '../context.ts';
import { errorResponses, Id } from '../schemas.ts';

export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

const channelErrorToProblem = (err: ChannelError): AppError => {
  switch (err.kind) {
    case 'invalid_signature':
      return new AppError('invalid_signature', err.message);
    case 'invalid_payload':
      return new AppError('validation_failed', err.message);
    default:
      return new AppError('unavailable', err.message);
  }
};

export async function registerHookRoutes(app: Api, ctx: AppContext): Promise<void> {
  // Deliveries come in bursts to the same entrance: its configuration is decrypted once per
  // version of the sealed text (a changed secret is a new text, so nothing stale is ever used).
  const configs = new Map<string, Record<string, unknown>>();
  const openConfig = (entrance: Entrance): Readonly<Record<string, unknown>> => {
    if (!entrance.config_encrypted) return {};
    let config = configs.get(entrance.config_encrypted);
    if (!config) {
      config = openEntranceConfig(ctx.secrets, entrance) ?? {};
      if (configs.size >= 100) configs.clear();
      configs.set(entrance.config_encrypted, config);
    }
    return config;
  };

  // An encapsulated scope: here every body stays raw bytes, whatever its content type.
  await app.register(async (scope: FastifyInstance) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT_BYTES }, (_req, body, done) => done(null, body));
    (scope as unknown as Api).post('/hooks/:entranceId', {
      schema: {
        tags: ['webhooks'],
        summary: 'Deliver messages to a webhook entrance (signed per Standard Webhooks)',
        params: Type.Object({ entranceId: Id }),
        response: { 200: Type.Object({ stored: Type.Integer(), duplicates: Type.Integer() }), ...errorResponses(400, 401, 404, 413) },
      },
      bodyLimit: WEBHOOK_BODY_LIMIT_BYTES,
    }, async (request) => {
      const entrance = await findEntranceById(ctx.storage.db, request.params.entranceId);
      const adapter = entrance && adapterFor(entrance.kind);
      if (!entrance || !adapter?.parseWebhook) throw new AppError('not_found', 'No webhook entrance has this address. Copy the URL again from the entrance\'s settings.');
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const config = openConfig(entrance);
      let messages;
      try {
        messages = adapter.parseWebhook({ headers: request.headers, rawBody, now: Date.now() }, config);
      } catch (err) {
        if (err instanceof ChannelError) throw channelErrorToProblem(err);
        throw err;
      }
      let stored = 0;
      let duplicates = 0;
      for (const msg of messages) {
        const r = await ingestMessage(ctx.storage.db, entrance, msg, { live: ctx.live });
        if (r.duplicate) duplicates++;
        else stored++;
      }
      return { stored, duplicates };
    });
  });
}
