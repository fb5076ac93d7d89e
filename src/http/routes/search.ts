import { Type } from '@sinclair/typebox';
import { findContactsMatching } from '../../storage/repositories/contacts.ts';
import { searchMessages } from '../../search/search-messages.ts';
import type { Api } from '../api.ts';
import type { AppContext } from '../context.ts';
import { authOf, requireAuth } from '../plugins/auth.ts';
import { EntranceKind, errorResponses, Id, Text } from '../schemas.ts';

export function registerSearchRoutes(app: Api, ctx: AppContext): void {
  app.get('/api/v1/search', {
    schema: {
      tags: ['inbox'],
      summary: 'Search messages and contacts',
      description: 'Words match as prefixes, without regard to case or accents ("zurich" finds "Zürich"). Message results are the most relevant of the 200 most recent matches; snippets are plain text with matches between «[[» and «]]».',
      querystring: Type.Object(
        {
          q: Text(200, { minLength: 1 }),
          entranceId: Type.Optional(Id),
          from: Type.Optional(Type.Integer({ minimum: 0 })),
          to: Type.Optional(Type.Integer({ minimum: 0 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 30 })),
        },
        { additionalProperties: false },
      ),
      response: {
        200: Type.Object({
          messages: Type.Array(
            Type.Object({
              messageId: Type.String(),
              conversationId: Type.String(),
              contact: Type.Object({ id: Type.String(), displayName: Type.String() }),
              entrance: Type.Object({ id: Type.String(), kind: EntranceKind, label: Type.String() }),
              sentAt: Type.Number(),
              snippet: Type.String(),
            }),
          ),
          contacts: Type.Array(Type.Object({ id: Type.String(), displayName: Type.String() })),
        }),
        ...errorResponses(400, 401),
      },
    },
    onRequest: requireAuth(),
  }, async (request) => {
    const auth = authOf(request);
    const { q, entranceId, from, to, limit = 30 } = request.query;
    const [messages, contacts] = await Promise.all([
      searchMessages(ctx.storage, { workspaceId: auth.workspaceId, query: q, entranceId, from, to, limit }),
      findContactsMatching(ctx.storage.db, auth.workspaceId, q, 10),
    ]);
    return { messages: messages as Array<(typeof messages)[number] & { entrance: { kind: never } }>, contacts: contacts.map((c) => ({ id: c.id, displayName: c.display_name })) };
  });
}
