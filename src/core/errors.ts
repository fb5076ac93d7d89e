// One list of error codes, one mapping to HTTP status, one shape on the wire: RFC 9457 problem
// details (`application/problem+json`) with a stable `code` that clients and tests rely on.

export const ERRORS = {
  bad_request: { status: 400, title: 'The request is not valid' },
  validation_failed: { status: 400, title: 'Some fields are missing or wrong' },
  malformed_json: { status: 400, title: 'The body is not valid JSON' },
  invalid_encoding: { status: 400, title: 'The body is not valid UTF-8 text' },
  unauthenticated: { status: 401, title: 'Sign-in required' },
  invalid_credentials: { status: 401, title: 'E-mail address or password is wrong' },
  invalid_signature: { status: 401, title: 'The request signature is missing, wrong or too old' },
  csrf_failed: { status: 403, title: 'The request lacks a valid CSRF token' },
  forbidden: { status: 403, title: 'You may not do this' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'This conflicts with existing data' },
  setup_token_invalid: { status: 410, title: 'This setup link is invalid, expired or already used' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Something went wrong on our side' },
  unavailable: { status: 503, title: 'Not ready' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  instance?: string;
  errors?: Array<{ field: string; message: string }>;
}

/** An error meant for the client: its code chooses the status, its detail says what to do. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    detail?: string,
    readonly extra: { errors?: ProblemDetails['errors']; headers?: Record<string, string> } = {},
  ) {
    super(detail ?? ERRORS[code].title);
    this.name = 'AppError';
    this.status = ERRORS[code].status;
  }
}

export function problem(code: ErrorCode, detail?: string, errors?: ProblemDetails['errors']): ProblemDetails {
  const { status, title } = ERRORS[code];
  return {
    type: `urn:portier:problem:${code}`,
    title,
    status,
    code,
    ...(detail ? { detail } : {}),
    ...(errors?.length ? { errors } : {}),
  };
}
