import { adapterFor } from '../channels/registry.ts';
import type { AppContext } from '../http/context.ts';
import { openEntranceConfig } from './entrance-config.ts';

/** Whether a reply written in Portier can go out through this entrance as it is configured now. */
export function canSendFrom(ctx: Pick<AppContext, 'secrets'>, entrance: { entrance_kind?: string; kind?: string; config_encrypted: string | null }): boolean {
  const adapter = adapterFor(entrance.kind ?? entrance.entrance_kind ?? '');
  if (!adapter?.send) return false;
  return adapter.canSend ? adapter.canSend(openEntranceConfig(ctx.secrets, entrance) ?? {}) : true;
}
