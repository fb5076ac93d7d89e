// Who is asking: a session cookie (the web app) or a bearer API token (scripts). Cookie-authenticated
// changes must carry the session's CSRF token; token-authenticated ones need the "write" scope.
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { AppError } from '../../core/errors.ts';
import { SESSION_COOKIE, SESSION_TOUCH_INTERVAL_MS, SESSION_TTL_MS } from '../../accounts/sessions.ts';
import { hashToken, safeEqual } from '../../security/tokens.ts';
import { findSessionByTokenHash, touchSession } from '../../storage/repositories/sessions.ts';
import { findApiTokenByHash, markApiTokenUsed } from '../../storage/repositories/api-tokens.ts';
import type { Role } from '../../storage/schema.ts';
import type { AppContext } from '../context.ts';

export interface AuthContext {
  workspaceId: string;
  userId: string;
  role: Role;
  via: 'session' | 'token';
  sessionId?: string;
  csrfToken?: string;
  scopes: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

async function resolveAuth(ctx: AppContext, request: FastifyRequest): Promise<AuthContext | null> {
  const db = ctx.storage.db;
  const now = Date.now();
  const header = request.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new AppError('unauthenticated', 'The Authorization header must be "Bearer <token>".');
    const row = await findApiTokenByHash(db, hashToken(m[1]!));
    if (!row || row.revoked_at !== null || (row.expires_at !== null && row.expires_at < now)) {
      throw new AppError('unauthenticated', 'This API token is unknown, revoked or expired. Create a new one with `portier token create`.');
    }
    if (row.last_used_at === null || now - row.last_used_at > SESSION_TOUCH_INTERVAL_MS) await markApiTokenUsed(db, row.id, now);
    return { workspaceId: row.workspace_id, userId: row.user_id, role: row.role, via: 'token', scopes: JSON.parse(row.scopes) as string[] };
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (!cookie) return null;
  const session = await findSessionByTokenHash(db, hashToken(cookie));
  if (!session || session.expires_at < now) return null;
  if (now - session.last_seen_at > SESSION_TOUCH_INTERVAL_MS) await touchSession(db, session.id, now, now + SESSION_TTL_MS);
  return {
    workspaceId: session.workspace_id,
    userId: session.user_id,
    role: session.role,
    via: 'session',
    sessionId: session.id,
    csrfToken: session.csrf_token,
    scopes: ['read', 'write'],
  };
}

export function registerAuth(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('auth', null);
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    request.auth = await resolveAuth(ctx, request);
  });
}

/**
 * onRequest hook for routes that need a signed-in user; `role: 'owner'` restricts further. It runs
 * before the body is read and validated, so a stranger gets 401 whatever they send, and the
 * server spends no parsing on them.
 */
export function requireAuth(options: { role?: Role } = {}): onRequestHookHandler {
  return async function checkAuth(request: FastifyRequest, _reply: FastifyReply) {
    const auth = request.auth;
    if (!auth) throw new AppError('unauthenticated', 'Sign in first, or send an API token as "Authorization: Bearer <token>".');
    if (!SAFE_METHODS.has(request.method)) {
      if (auth.via === 'session') {
        const sent = request.headers['x-csrf-token'];
        if (typeof sent !== 'string' || !auth.csrfToken || !safeEqual(sent, auth.csrfToken)) {
          throw new AppError('csrf_failed', 'Reload the page and try again (the X-CSRF-Token header is missing or stale).');
        }
      } else if (!auth.scopes.includes('write')) {
        throw new AppError('forbidden', 'This API token may only read. Create one with the "write" scope to make changes.');
      }
    }
    if (options.role && auth.role !== options.role) throw new AppError('forbidden', `Only the workspace ${options.role} may do this.`);
  };
}

/** The auth context of a route guarded by requireAuth(). */
export function authOf(request: FastifyRequest): AuthContext {
  if (!request.auth) throw new AppError('unauthenticated');
  return request.auth;
}
