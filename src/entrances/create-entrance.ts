// Adding an entrance, from the web app, the API or `portier entrance add`.
import { adapterFor } from '../channels/registry.ts';
import { newId } from '../core/ids.ts';
import type { AppContext } from '../http/context.ts';
import { recordEvent } from '../storage/repositories/events.ts';
import { findEntrance, insertEntrance } from '../storage/repositories/entrances.ts';
import type { Entrance, EntranceKind } from '../storage/schema.ts';
import { changeConfig } from './change-config.ts';
import { sealEntranceConfig, webhookUrl } from './entrance-config.ts';

export const DEFAULT_RESPONSE_TARGET_MINUTES = 24 * 60;

export interface NewEntranceInput {
  kind: EntranceKind;
  label: string;
  publicUrl?: string | null;
  showOnStorefront?: boolean;
  responseTargetMinutes?: number;
  reviewIntervalDays?: number | null;
  /** Connector settings on top of the kind's initial ones (a webhook's generated secret stays). */
  config?: Record<string, unknown>;
}

/** What the owner pastes into the sending system; shown once, at creation. */
export interface EntranceConnection {
  webhookUrl: string;
  signingSecret: string;
}

export async function createEntrance(ctx: Pick<AppContext, 'storage' | 'secrets' | 'config'>, workspaceId: string, actorUserId: string | null, input: NewEntranceInput): Promise<{ entrance: Entrance; connection: EntranceConnection | null }> {
  const now = Date.now();
  const id = newId(now);
  const config = adapterFor(input.kind)?.initialConfig?.() ?? null;
  // Checked before anything is stored: an entrance is created whole or not at all.
  const sealed = input.config && Object.keys(input.config).length ? changeConfig(ctx.secrets, input.kind, config ?? {}, input.config) : sealEntranceConfig(ctx.secrets, config);
  await insertEntrance(ctx.storage.db, {
    id,
    workspace_id: workspaceId,
    kind: input.kind,
    label: input.label.trim(),
    public_url: input.publicUrl ?? null,
    show_on_storefront: input.showOnStorefront ? 1 : 0,
    config_encrypted: sealed,
    response_target_minutes: input.responseTargetMinutes ?? DEFAULT_RESPONSE_TARGET_MINUTES,
    review_interval_days: input.reviewIntervalDays ?? null,
    last_reviewed_at: null,
    health: 'unknown',
    health_reason: null,
    created_at: now,
    updated_at: now,
    archived_at: null,
  });
  await recordEvent(ctx.storage.db, { workspaceId, actorUserId, type: 'entrance.created', subjectType: 'entrance', subjectId: id, data: { kind: input.kind } }, now);
  const entrance = (await findEntrance(ctx.storage.db, workspaceId, id))!;
  const secret = config && typeof (config as { signingSecret?: unknown }).signingSecret === 'string' ? (config as { signingSecret: string }).signingSecret : null;
  return { entrance, connection: secret ? { webhookUrl: webhookUrl(ctx.config.publicUrl, id), signingSecret: secret } : null };
}
