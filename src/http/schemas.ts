// Wire shapes shared by several routes, and the functions that turn rows into them.
import { Type, type Static } from '@sinclair/typebox';
import type { Entrance, User, Workspace } from '../storage/schema.ts';

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

/** Bounded strings: every free-text field has a ceiling, so no request can store megabytes in a name. */
export const Text = (maxLength: number, opts: { minLength?: number } = {}) => Type.String({ maxLength, minLength: opts.minLength ?? 0 });
export const Id = Type.String({ minLength: 1, maxLength: 64 });
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export const Locale = Type.Union([Type.Literal('en'), Type.Literal('fr'), Type.Literal('de'), Type.Literal('it')]);

export const WorkspaceOut = Type.Object({
  id: Type.String(),
  handle: Type.String(),
  name: Type.String(),
  locale: Type.String(),
  languages: Type.Array(Type.String()),
  timeZone: Type.String(),
  createdAt: Type.Number(),
  links: Type.Object({ storefront: Type.String(), contactForm: Type.String() }, { description: 'Public pages of the workspace, for templates and sharing' }),
});

export const UserOut = Type.Object({
  id: Type.String(),
  email: Type.String(),
  displayName: Type.String(),
  role: Type.Union([Type.Literal('owner'), Type.Literal('assistant')]),
  locale: Type.Union([Type.String(), Type.Null()]),
});

export const SessionOut = Type.Object({ user: UserOut, workspace: WorkspaceOut, csrfToken: Type.String() });

export const ENTRANCE_KINDS = ['email', 'webform', 'booking', 'telegram', 'messenger', 'instagram', 'whatsapp', 'sms', 'mastodon', 'linkedin', 'xing', 'x', 'bluesky', 'phone', 'referral', 'webhook', 'manual'] as const;
export const EntranceKind = Type.Union(ENTRANCE_KINDS.map((k) => Type.Literal(k)));

export const EntranceOut = Type.Object({
  id: Type.String(),
  kind: EntranceKind,
  label: Type.String(),
  publicUrl: Type.Union([Type.String(), Type.Null()]),
  showOnStorefront: Type.Boolean(),
  responseTargetMinutes: Type.Integer(),
  reviewIntervalDays: Type.Union([Type.Integer(), Type.Null()]),
  health: Type.Union([Type.Literal('unknown'), Type.Literal('ok'), Type.Literal('attention'), Type.Literal('failing')]),
  healthReason: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Number(),
});

export function toWorkspaceOut(w: Workspace, publicUrl: string): Static<typeof WorkspaceOut> {
  const storefront = `${publicUrl}/@${w.handle}`;
  return {
    id: w.id,
    handle: w.handle,
    name: w.name,
    locale: w.locale,
    languages: JSON.parse(w.languages) as string[],
    timeZone: w.time_zone,
    createdAt: w.created_at,
    links: { storefront, contactForm: `${storefront}/contact` },
  };
}

export function toUserOut(u: User): Static<typeof UserOut> {
  return { id: u.id, email: u.email, displayName: u.display_name, role: u.role, locale: u.locale };
}

export function toEntranceOut(e: Entrance): Static<typeof EntranceOut> {
  return {
    id: e.id,
    kind: e.kind,
    label: e.label,
    publicUrl: e.public_url,
    showOnStorefront: e.show_on_storefront === 1,
    responseTargetMinutes: e.response_target_minutes,
    reviewIntervalDays: e.review_interval_days,
    health: e.health,
    healthReason: e.health_reason,
    createdAt: e.created_at,
  };
}

/** Standard error responses to list in a route's schema (for the OpenAPI document). */
export const errorResponses = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, { $ref: 'Problem#' }]));
