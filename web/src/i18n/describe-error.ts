// Turns any error into a sentence in the interface language. The server's problem codes are
// stable, so known codes get a translated message; unknown ones fall back to the server's text.
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { ApiError, NETWORK_ERROR_CODE } from '../api/client.ts';

export function describeError(t: TFunction, error: unknown): string {
  if (!(error instanceof ApiError)) return t('errors.other', { detail: error instanceof Error ? error.message : String(error) });
  switch (error.code) {
    case NETWORK_ERROR_CODE:
      return t('errors.network');
    case 'unauthenticated':
      return t('errors.unauthenticated');
    case 'forbidden':
      return t('errors.forbidden');
    case 'csrf_failed':
      return t('errors.csrfFailed');
    case 'not_found':
      return t('errors.notFound');
    case 'conflict':
      return error.detail ?? t('errors.conflict');
    case 'validation_failed':
      return t('errors.validationFailed');
    case 'rate_limited':
      return describeWait(t, error.retryAfterSeconds);
    case 'unavailable':
      return t('errors.unavailable');
  }
  if (error.status >= 500) return t('errors.server');
  return t('errors.other', { detail: error.detail ?? error.title });
}

export function describeWait(t: TFunction, seconds: number | undefined): string {
  if (!seconds) return t('errors.rateLimited');
  if (seconds < 90) return t('errors.rateLimitedWait', { seconds });
  return t('errors.rateLimitedWaitMinutes', { minutes: Math.ceil(seconds / 60) });
}

export function useDescribeError(): (error: unknown) => string {
  const { t } = useTranslation();
  return useCallback((error: unknown) => describeError(t, error), [t]);
}
