// Server-sent events: the open web app hears about new messages and changes within a second, on this
// node or (through PostgreSQL NOTIFY) any other. Events carry ids only; the app fetches what changed,
// so nothing here can leak data the reader may not see.
import { AppError } from '../../core/errors.ts';
import type { Api } from '../api.ts';
import type { AppContext } from '../context.ts';
import { authOf, requireAuth } from '../plugins/auth.ts';
import { errorResponses } from '../schemas.ts';

const HEARTBEAT_MS = 25_000;

export function registerLiveRoutes(app: Api, ctx: AppContext): void {
  app.get('/api/v1/events', {
    schema: { tags: ['inbox'], summary: 'Live updates of the workspace (text/event-stream)', response: { ...errorResponses(401) } },
    onRequest: requireAuth(),
  }, async (request, reply) => {
    const auth = authOf(request);
    if (!auth) throw new AppError('unauthenticated');
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no', // nginx would otherwise buffer the stream
    });
    res.write(': connected\nretry: 3000\n\n');
    const unsubscribe = ctx.live.subscribe(auth.workspaceId, (event) => {
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
}
