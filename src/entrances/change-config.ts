// A change of connector settings, checked once for every way in (create and update, API and CLI):
// merged into the settings it changes, bounded in size, valid for the kind, then sealed.
import { Value } from '@sinclair/typebox/value';
import { adapterFor } from '../channels/registry.ts';
import { AppError } from '../core/errors.ts';
import type { SecretBox } from '../security/secret-box.ts';
import type { EntranceKind } from '../storage/schema.ts';
import { sealEntranceConfig } from './entrance-config.ts';
import { depthOf, mergeConfig } from './merge-config.ts';

/** The sealed settings after `change`; an AppError ('validation_failed') naming each problem. */
export function changeConfig(secrets: SecretBox, kind: EntranceKind, base: Record<string, unknown>, change: Record<string, unknown>): string | null {
  const adapter = adapterFor(kind);
  if (!adapter) throw new AppError('validation_failed', `A ${kind} entrance has no connector settings.`, { errors: [{ field: 'body.config', message: 'is not supported for this kind' }] });
  if (depthOf(change) > 6 || JSON.stringify(change).length > 64 * 1024) {
    throw new AppError('validation_failed', 'The settings are nested too deeply or too large.', { errors: [{ field: 'body.config', message: 'is too deep or too large' }] });
  }
  const merged = mergeConfig(base, change);
  if (!Value.Check(adapter.configSchema, merged)) {
    const errors = [...Value.Errors(adapter.configSchema, merged)].slice(0, 5).map((e) => ({ field: `body.config${e.path.replaceAll('/', '.')}`, message: e.message }));
    throw new AppError('validation_failed', errors.map((e) => `${e.field} ${e.message}`).join('; '), { errors });
  }
  return sealEntranceConfig(secrets, merged);
}
