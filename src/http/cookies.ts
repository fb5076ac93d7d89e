import type { FastifyReply } from 'fastify';
import { SESSION_COOKIE, type NewSession } from '../accounts/sessions.ts';
import type { AppContext } from './context.ts';

// SameSite=Lax keeps the session on a normal link into Portier (an e-mail alert) while refusing it
// on cross-site POSTs; changes additionally need the CSRF header. Secure whenever served over HTTPS.
export function setSessionCookie(ctx: AppContext, reply: FastifyReply, session: NewSession): void {
  void reply.setCookie(SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.config.publicUrl.startsWith('https:'),
    path: '/',
    expires: new Date(session.expiresAt),
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, { path: '/' });
}
