// Generic webhook entrance: signed per the Standard Webhooks specification (HMAC-SHA256 over
// "id.timestamp.body", timestamps older than five minutes refused as replays).
import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ChannelError, type ChannelAdapter, type IdentityClaim, type InboundMessage } from '../contract.ts';
import { WebhookPayload } from './payload.ts';
import { sign, SignatureError, verify } from './signature.ts';

const payloadCheck = TypeCompiler.Compile(WebhookPayload);

export interface WebhookConfig {
  signingSecret: string;
  /** Optional: replies are POSTed here, signed with the same secret, so the sending system can deliver them. */
  replyUrl?: string;
}

const SEND_TIMEOUT_MS = 10_000;

const header = (h: Record<string, string | string[] | undefined>, name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

export function mapWebhookPayload(p: WebhookPayload, now: number): InboundMessage {
  const identities: IdentityClaim[] = [];
  // The sending system vouches for nothing: identities from a webhook are unverified claims.
  if (p.sender.email) identities.push({ kind: 'email', value: p.sender.email, verified: false });
  if (p.sender.phone) identities.push({ kind: 'phone', value: p.sender.phone, verified: false });
  if (p.sender.handle) identities.push({ kind: /^https?:\/\//.test(p.sender.handle) ? 'url' : 'handle', value: p.sender.handle, verified: false });
  const sentAt = p.sentAt === undefined ? now : typeof p.sentAt === 'number' ? p.sentAt : Date.parse(p.sentAt);
  return {
    externalId: p.id,
    threadKey: p.threadKey,
    sender: { name: p.sender.name, identities },
    subject: p.subject,
    text: p.text,
    html: p.html,
    sentAt: Number.isFinite(sentAt) ? Math.min(sentAt, now) : now,
  };
}

export const webhookAdapter: ChannelAdapter<WebhookConfig> = {
  kind: 'webhook',
  capabilities: { inbound: 'webhook', replyNatively: true },
  configSchema: Type.Object(
    { signingSecret: Type.String({ minLength: 24 }), replyUrl: Type.Optional(Type.String({ pattern: '^https?://\\S+$', maxLength: 2048 })) },
    { additionalProperties: false },
  ),
  secretFields: ['signingSecret'],

  initialConfig: () => ({ signingSecret: `whsec_${randomBytes(32).toString('base64')}` }),

  parseWebhook(request, config) {
    const id = header(request.headers, 'webhook-id');
    const timestamp = header(request.headers, 'webhook-timestamp');
    const signature = header(request.headers, 'webhook-signature');
    if (!id || !timestamp || !signature) {
      throw new ChannelError('invalid_signature', 'Sign the request per Standard Webhooks: headers webhook-id, webhook-timestamp and webhook-signature are required.');
    }
    try {
      verify(config.signingSecret, { id, timestamp, signature }, request.rawBody, request.now);
    } catch (err) {
      if (!(err instanceof SignatureError)) throw err;
      throw new ChannelError('invalid_signature', `The webhook signature was refused (${err.message}). Check the signing secret and that the timestamp is current.`);
    }
    let body: unknown;
    try {
      body = JSON.parse(request.rawBody.toString('utf8'));
    } catch {
      throw new ChannelError('invalid_payload', 'The body is not valid JSON.');
    }
    if (!payloadCheck.Check(body)) {
      const problems = [...payloadCheck.Errors(body)].slice(0, 5).map((e) => `${e.path || '/'} ${e.message}`);
      throw new ChannelError('invalid_payload', `The payload does not match the documented format: ${problems.join('; ')}.`);
    }
    if (!body.sender.email && !body.sender.phone && !body.sender.handle && !body.sender.name) {
      throw new ChannelError('invalid_payload', 'sender needs at least one of name, email, phone or handle.');
    }
    return [mapWebhookPayload(body, request.now)];
  },

  canSend: (config) => Boolean(config.replyUrl),

  async send(config, message) {
    if (!config.replyUrl) throw new ChannelError('invalid_config', 'This webhook entrance has no reply URL: set one in the entrance settings, or answer elsewhere and mark the conversation as answered.');
    // Standard Webhooks: a resend of the same message carries the same webhook-id, so a receiver
    // that got an attempt whose answer was lost (timeout, 5xx after processing) can drop the resend.
    const id = message.messageId ? `msg_${message.messageId}` : `msg_${randomBytes(12).toString('hex')}`;
    const body = JSON.stringify({ id, conversationId: message.conversationId, threadKey: message.threadKey, to: message.to.map(({ kind, value }) => ({ kind, value })), subject: message.subject ?? null, text: message.text });
    const timestamp = Math.floor(Date.now() / 1000);
    let res: Response;
    try {
      res = await fetch(config.replyUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': sign(config.signingSecret, id, timestamp, body) },
        body,
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
        redirect: 'error',
      });
    } catch (err) {
      throw new ChannelError('temporary', `The reply URL could not be reached (${(err as Error).message}).`, { cause: err });
    }
    if (res.ok) return { externalId: id };
    if (res.status === 429) throw new ChannelError('rate_limited', 'The reply URL answered 429 Too Many Requests.', { retryAfterMs: Number(res.headers.get('retry-after') ?? 60) * 1000 });
    if (res.status >= 500) throw new ChannelError('temporary', `The reply URL answered ${res.status}.`);
    throw new ChannelError('invalid_payload', `The reply URL refused the reply with ${res.status}.`);
  },
};
