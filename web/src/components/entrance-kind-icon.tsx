// A small line icon per family of entrance kinds. It is decorative: the kind's name is always
// written next to it.
import type { EntranceKind } from '../api/types.ts';

type IconName = 'mail' | 'form' | 'calendar' | 'chat' | 'profile' | 'phone' | 'referral' | 'webhook' | 'pencil';

const ICON_FOR_KIND: Record<EntranceKind, IconName> = {
  email: 'mail',
  webform: 'form',
  booking: 'calendar',
  telegram: 'chat',
  messenger: 'chat',
  instagram: 'chat',
  whatsapp: 'chat',
  sms: 'chat',
  mastodon: 'profile',
  linkedin: 'profile',
  xing: 'profile',
  x: 'profile',
  bluesky: 'profile',
  phone: 'phone',
  referral: 'referral',
  webhook: 'webhook',
  manual: 'pencil',
};

const PATHS: Record<IconName, string> = {
  mail: 'M3 6h18v12H3z M3 7l9 6 9-6',
  form: 'M6 3h12v18H6z M9 8h6 M9 12h6 M9 16h4',
  calendar: 'M4 6h16v14H4z M4 10h16 M8 3v5 M16 3v5',
  chat: 'M4 5h16v11H9l-5 4z',
  profile: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M4 21c1-4 4-6 8-6s7 2 8 6',
  phone: 'M6 3h4l2 5-3 2a11 11 0 0 0 5 5l2-3 5 2v4a2 2 0 0 1-2 2A17 17 0 0 1 4 5a2 2 0 0 1 2-2z',
  referral: 'M8 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6z M16 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6z M2 20c.8-3 3-5 6-5s5 2 6 5 M14 15.5c.6-.3 1.3-.5 2-.5 3 0 5.2 2 6 5',
  webhook: 'M13 3 5 14h6l-1 7 8-11h-6z',
  pencil: 'M4 20h4L19 9l-4-4L4 16z M13 7l4 4',
};

export function EntranceKindIcon({ kind }: { kind: EntranceKind }) {
  return (
    <svg className="kind-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path d={PATHS[ICON_FOR_KIND[kind] ?? 'pencil']} />
    </svg>
  );
}
