// The one error handler: every failure leaves as problem details. Client errors say what to fix;
// server errors say only that something went wrong, with the request id to quote, while the full
// error is logged with the request's context.
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, problem, type ErrorCode, type ProblemDetails } from '../../core/errors.ts';

function fromFastifyError(err: FastifyError, contentType: string | undefined): ProblemDetails | null {
  if (err.validation) {
    const errors = err.validation.map((v) => {
      const path = (v.instancePath || '').replace(/^\//, '').replaceAll('/', '.');
      const missing = (v.params as { missingProperty?: string }).missingProperty;
      const extra = (v.params as { additionalProperty?: string }).additionalProperty;
      const field = [err.validationContext, path, missing ?? extra].filter(Boolean).join('.');
      const message = extra ? `unknown field "${extra}"` : missing ? 'is required' : (v.message ?? 'is not valid');
      return { field, message };
    });
    const detail = errors.map((e) => `${e.field} ${e.message}`).join('; ');
    return problem('validation_failed', detail, errors);
  }
  const byCode: Record<string, ErrorCode> = {
    FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
    FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
    FST_ERR_BAD_URL: 'bad_request',
  };
  const code = err.code ? byCode[err.code] : undefined;
  if (code === 'unsupported_media_type') return problem(code, `Send the body as application/json (got ${contentType?.split(';')[0]?.trim() || 'no content type'}).`);
  if (code === 'payload_too_large') return problem(code, 'The body exceeds the size limit for this endpoint; send less data.');
  if (code) return problem(code, err.message);
  if (err.statusCode === 429) return problem('rate_limited', err.message);
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return problem('bad_request', err.message);
  return null;
}

export function registerProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    let body: ProblemDetails | null;
    if (err instanceof AppError) {
      body = problem(err.code, err.message, err.extra.errors);
      if (err.extra.headers) reply.headers(err.extra.headers);
    } else {
      body = fromFastifyError(err as FastifyError, request.headers['content-type']);
    }
    if (!body) {
      request.log.error({ err }, 'request failed');
      body = problem('internal', `Please try again. If it keeps failing, report request id ${request.id} to the administrator.`);
    } else if (body.status >= 500) {
      request.log.error({ err }, 'request failed');
    }
    body.instance = request.url.split('?')[0];
    void reply.status(body.status).type('application/problem+json').send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const body = problem('not_found', `There is nothing at ${request.method} ${request.url.split('?')[0]}.`);
    void reply.status(404).type('application/problem+json').send(body);
  });
}
