// The documented JSON body of the generic webhook entrance (for form tools, n8n, Zapier, …).
import { Type, type Static } from '@sinclair/typebox';

export const WebhookPayload = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 200, description: 'Your unique id for this message; sending the same id again stores nothing new' }),
    sender: Type.Object(
      {
        name: Type.Optional(Type.String({ maxLength: 200 })),
        email: Type.Optional(Type.String({ maxLength: 254 })),
        phone: Type.Optional(Type.String({ maxLength: 40 })),
        handle: Type.Optional(Type.String({ maxLength: 200, description: 'Any other handle: a profile URL, a user name' })),
      },
      { additionalProperties: false },
    ),
    text: Type.String({ maxLength: 100_000 }),
    html: Type.Optional(Type.String({ maxLength: 500_000 })),
    subject: Type.Optional(Type.String({ maxLength: 500 })),
    sentAt: Type.Optional(Type.Union([Type.String({ format: 'date-time', maxLength: 40 }), Type.Integer({ minimum: 0 })], { description: 'ISO 8601 time or epoch milliseconds; default: when received' })),
    threadKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Messages with the same key form one conversation' })),
  },
  { additionalProperties: false },
);
export type WebhookPayload = Static<typeof WebhookPayload>;
