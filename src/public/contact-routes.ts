// The website door: a public contact form per workspace, server-rendered, working without
// JavaScript, in the visitor's language (FR/DE/IT/EN, limited to the workspace's languages).
//
//   GET  /@<handle>/contact              the form (HEAD too)
//   POST /@<handle>/contact              a submission → 303 to …/thanks, or the form again with errors
//   GET  /@<handle>/contact/thanks       the confirmation (Post/Redirect/Get)
//   GET  /@<handle>/contact/challenge    an ALTCHA proof-of-work challenge (JSON) for one submission
//   GET|POST /@<handle>/contact/embed, GET …/embed/thanks
//                                        the same in a minimal layout that other sites may frame
//   GET  /public-assets/contact.css|js   the pages' stylesheet and script
//
// To embed the form on the professional's own website:
//   <iframe src="https://<portier host>/@<handle>/contact/embed" title="Contact" width="100%"
//           height="900" loading="lazy"></iframe>
//
// Spam protection, in the order a submission meets it: a per-IP rate limit; a honeypot field
// (filled → the visitor sees the confirmation, nothing is stored); the signed fill-time stamp; field
// validation and size limits; the ALTCHA solution, bound to the submission token, or — without
// JavaScript — a small per-IP allowance (see form-security.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/errors.ts';
import type { Api } from '../http/api.ts';
import type { AppContext } from '../http/context.ts';
import { mapSubmission } from '../channels/webform/map.ts';
import { ingestMessage } from '../ingest/ingest-message.ts';
import { assetUrl, loadPublicAssets } from './assets.ts';
import { FORM_BODY_LIMIT_BYTES, UnreadableForm, emptyValues, parseFormBody, referralText, validateSubmission, type FieldError, type FormValues } from './contact-form.ts';
import { ensureWebformEntrance, loadContactPage, responseTargetMinutes, type ContactPageData } from './contact-page-data.ts';
import { createFormSecurity, createNoScriptAllowance, isSubmissionToken, newSubmissionToken, type ProofOfWorkDifficulty } from './form-security.ts';
import { toHtmlString, type SafeHtml } from './html.ts';
import { PUBLIC_LANGUAGES, chooseLanguage, isPublicLanguage, messagesFor, type PublicLanguage } from './messages/index.ts';
import { contactPath, renderFormPage, renderMessagePage, renderThanksPage, type Layout } from './pages.ts';

export interface PublicRouteOptions {
  difficulty?: ProofOfWorkDifficulty;
  /** Submissions per IP address per 10 minutes (every POST counts, accepted or not). */
  submissionsPerWindow?: number;
}

const TEN_MINUTES = 10 * 60 * 1000;

type Params = { handle: string };
type Query = { lang?: string; submission?: string };

export async function registerPublicRoutes(app: Api, ctx: AppContext, options: PublicRouteOptions = {}): Promise<void> {
  const db = ctx.storage.db;
  const security = createFormSecurity(ctx.config.secretKey, options.difficulty);
  const noScript = createNoScriptAllowance();
  const assets = loadPublicAssets();
  const shellAssets = { stylesheet: assetUrl(assets, 'contact.css'), script: assetUrl(assets, 'contact.js') };
  // One limiter shared by the page and the embed POST, so framing the form gives no extra allowance.
  const submissionLimit = (app as unknown as FastifyInstance).rateLimit({ max: options.submissionsPerWindow ?? 5, timeWindow: TEN_MINUTES });
  const challengeLimit = (app as unknown as FastifyInstance).rateLimit({ max: 30, timeWindow: TEN_MINUTES });

  const send = (reply: FastifyReply, status: number, layout: Layout, doc: SafeHtml) => {
    if (layout === 'embed') allowFraming(reply);
    return reply.status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(toHtmlString(doc));
  };

  const switcher = (page: ContactPageData, layout: Layout, suffix = '') => page.languages.map((lang) => ({ lang, href: `${contactPath(page.workspace.handle, layout, suffix)}?lang=${lang}` }));

  /** Pages without a workspace (unknown handle, errors before it is known): any of the four languages. */
  const anyLanguage = (request: FastifyRequest) => chooseLanguage(PUBLIC_LANGUAGES, (request.query as Query | undefined)?.lang, request.headers['accept-language'], 'en');

  const notFound = (request: FastifyRequest, reply: FastifyReply, layout: Layout) => {
    const lang = anyLanguage(request);
    const t = messagesFor(lang);
    return send(reply, 404, layout, renderMessagePage(lang, layout, t.notFoundTitle, t.notFoundText, null, shellAssets));
  };

  const closed = (reply: FastifyReply, page: ContactPageData, lang: PublicLanguage, layout: Layout) => {
    const t = messagesFor(lang);
    return send(reply, 410, layout, renderMessagePage(lang, layout, page.workspace.name, t.closedText, null, { ...shellAssets, languages: switcher(page, layout) }));
  };

  const showForm = (reply: FastifyReply, status: number, page: ContactPageData, lang: PublicLanguage, layout: Layout, values: FormValues, errors: FieldError[], token: string, stamp: string) =>
    send(reply, status, layout, renderFormPage({ page, lang, layout, values: { ...values, altcha: '', website: '' }, errors, token, stamp }, { ...shellAssets, languages: switcher(page, layout) }));

  await app.register(async (scope: FastifyInstance) => {
    // Only url-encoded forms here, read strictly (see parseFormBody); anything else is refused.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer', bodyLimit: FORM_BODY_LIMIT_BYTES }, (_req, body, done) => {
      try {
        done(null, parseFormBody(body as Buffer));
      } catch (err) {
        done(err instanceof UnreadableForm ? new AppError('invalid_encoding', 'The form is not valid UTF-8 text.') : (err as Error), undefined);
      }
    });

    // Visitors get pages, not problem details: errors in this scope are rendered in their language.
    scope.setErrorHandler(async (err: Error & { statusCode?: number; code?: string }, request, reply) => {
      const status = err instanceof AppError ? err.status : (err.statusCode ?? 500);
      const layout: Layout = request.routeOptions.url?.includes('/embed') ? 'embed' : 'page';
      const handle = (request.params as Partial<Params> | undefined)?.handle;
      // In the workspace's languages when the address names one (the body may not be read yet).
      const page = handle && status < 500 ? await loadContactPage(db, handle).catch(() => null) : null;
      const lang = page ? chooseLanguage(page.languages, (request.query as Query | undefined)?.lang, request.headers['accept-language'], page.workspace.locale) : anyLanguage(request);
      const t = messagesFor(lang);
      const back = handle ? `${contactPath(handle, layout)}?lang=${lang}` : null;
      if (err instanceof AppError && err.extra.headers) reply.headers(err.extra.headers);
      if (status === 429) return send(reply, 429, layout, renderMessagePage(lang, layout, t.tooManyTitle, t.tooManyText, back, shellAssets));
      if (status === 413) return send(reply, 413, layout, renderMessagePage(lang, layout, t.badRequestTitle, t.tooLargeText, back, shellAssets));
      if (status >= 400 && status < 500) return send(reply, status, layout, renderMessagePage(lang, layout, t.badRequestTitle, t.badRequestText, back, shellAssets));
      request.log.error({ err }, 'public page failed');
      return send(reply, 500, layout, renderMessagePage(lang, layout, t.serverErrorTitle, t.serverErrorText, back, shellAssets));
    });

    scope.get<{ Params: { file: string } }>('/public-assets/:file', { schema: { hide: true } }, async (request, reply) => {
      const asset = assets.get(request.params.file);
      if (!asset) throw new AppError('not_found');
      const versioned = (request.query as { v?: string }).v === asset.hash;
      return reply.header('cache-control', versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=300').type(asset.type).send(asset.body);
    });

    for (const layout of ['page', 'embed'] as const) {
      const base = layout === 'embed' ? '/@:handle/contact/embed' : '/@:handle/contact';

      scope.get<{ Params: Params; Querystring: Query }>(base, { schema: { hide: true } }, async (request, reply) => {
        const page = await loadContactPage(db, request.params.handle);
        if (!page) return notFound(request, reply, layout);
        const lang = chooseLanguage(page.languages, request.query.lang, request.headers['accept-language'], page.workspace.locale);
        if (page.closed) return closed(reply, page, lang, layout);
        const token = newSubmissionToken();
        return showForm(reply, 200, page, lang, layout, emptyValues(), [], token, security.stamp(page.workspace.id, token));
      });

      scope.post<{ Params: Params; Querystring: Query; Body: FormValues | undefined }>(base, { schema: { hide: true }, onRequest: submissionLimit, bodyLimit: FORM_BODY_LIMIT_BYTES }, async (request, reply) => {
        const now = Date.now();
        const page = await loadContactPage(db, request.params.handle);
        if (!page) return notFound(request, reply, layout);
        const lang = chooseLanguage(page.languages, request.query.lang, request.headers['accept-language'], page.workspace.locale);
        if (page.closed) return closed(reply, page, lang, layout);
        const t = messagesFor(lang);
        const workspaceId = page.workspace.id;
        const values = request.body && typeof request.body === 'object' ? request.body : emptyValues();
        const thanks = () => reply.status(303).header('cache-control', 'no-store').redirect(`${contactPath(page.workspace.handle, layout, '/thanks')}?lang=${lang}`, 303);

        // A robot filled the field people cannot see: it is told all went well, and nothing is kept.
        if (values.website.trim() !== '') {
          request.log.info({ workspaceId }, 'contact form: honeypot filled, submission dropped');
          return thanks();
        }

        const fresh = () => {
          const token = newSubmissionToken();
          return { token, stamp: security.stamp(workspaceId, token, now) };
        };
        if (!isSubmissionToken(values.submission)) {
          const f = fresh();
          return showForm(reply, 400, page, lang, layout, values, [{ field: null, message: t.errors.unreadable }], f.token, f.stamp);
        }
        const token = values.submission;
        const stamp = security.checkStamp(workspaceId, token, values.issued, now);
        if (!stamp.ok) {
          // Too fast: the same form stays valid, a moment later. Unknown or expired stamp: a new one.
          if (stamp.reason === 'too_fast') return showForm(reply, 400, page, lang, layout, values, [{ field: null, message: t.errors.tooFast }], token, values.issued);
          const f = fresh();
          return showForm(reply, 400, page, lang, layout, values, [{ field: null, message: t.errors.expired }], f.token, f.stamp);
        }

        const result = validateSubmission(values, page.entrances, t, lang);
        if (!result.ok) return showForm(reply, 400, page, lang, layout, values, result.errors, token, values.issued);

        const proof = await security.verifyAltcha(workspaceId, token, values.altcha);
        if (proof === 'refused') {
          request.log.info({ workspaceId }, 'contact form: ALTCHA solution refused');
          return showForm(reply, 400, page, lang, layout, values, [{ field: null, message: t.errors.altchaFailed }], token, values.issued);
        }
        if (proof === 'missing' && !noScript.take(request.ip, now)) {
          return showForm(reply, 429, page, lang, layout, values, [{ field: null, message: t.errors.noJsLimit }], token, values.issued);
        }

        const entrance = await ensureWebformEntrance(db, page, now);
        if (!entrance) return closed(reply, page, lang, layout);
        const ownerLang = page.workspace.locale.split('-')[0];
        const owner = messagesFor(isPublicLanguage(ownerLang) ? ownerLang : 'en');
        const message = mapSubmission({
          token,
          name: result.value.name,
          email: result.value.email,
          phone: result.value.phone,
          message: result.value.message,
          preferredReply: result.value.preferredReply,
          referral: referralText(result.value, page.entrances, owner),
          submittedAt: now,
        });
        await ingestMessage(db, entrance, message, { live: ctx.live, now });
        return thanks();
      });

      scope.get<{ Params: Params; Querystring: Query }>(`${base}/thanks`, { schema: { hide: true } }, async (request, reply) => {
        const page = await loadContactPage(db, request.params.handle);
        if (!page) return notFound(request, reply, layout);
        const lang = chooseLanguage(page.languages, request.query.lang, request.headers['accept-language'], page.workspace.locale);
        return send(reply, 200, layout, renderThanksPage(page, lang, layout, responseTargetMinutes(page), { ...shellAssets, languages: switcher(page, layout, '/thanks') }));
      });
    }

    scope.get<{ Params: Params; Querystring: Query }>('/@:handle/contact/challenge', { schema: { hide: true }, onRequest: challengeLimit }, async (request, reply) => {
      const page = await loadContactPage(db, request.params.handle);
      const token = request.query.submission ?? '';
      if (!page || page.closed) throw new AppError('not_found');
      if (!isSubmissionToken(token)) throw new AppError('bad_request');
      const challenge = await security.createChallenge(page.workspace.id, token);
      return reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(JSON.stringify(challenge));
    });
  });
}

/**
 * The embed layout is meant to be framed by the professional's own site, whose address Portier
 * does not know: this response alone allows any ancestor, keeping the rest of the policy.
 */
function allowFraming(reply: FastifyReply): void {
  const csp = reply.getHeader('content-security-policy');
  if (typeof csp === 'string') reply.header('content-security-policy', csp.replace(/frame-ancestors [^;]*/, 'frame-ancestors *'));
  reply.removeHeader('x-frame-options');
}

