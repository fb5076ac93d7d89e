// Every migration, in order. A new migration is a new dated file added at the end of this list.
import type { Migration } from 'kysely';
import * as domain from './2026-11-26-01-domain.ts';
import * as inbox from './2026-11-26-02-inbox.ts';
import * as search from './2026-11-26-03-search.ts';
import * as contactSearch from './2026-11-26-04-contact-search.ts';
import * as email from './2026-11-26-05-email.ts';
import * as attachments from './2026-11-26-06-attachments.ts';
import * as remoteContent from './2026-11-26-07-remote-content.ts';
import * as contactSuggestions from './2026-11-26-08-contact-suggestions.ts';

export const migrations: Record<string, Migration> = {
  '2026-11-26-01-domain': domain,
  '2026-11-26-02-inbox': inbox,
  '2026-11-26-03-search': search,
  '2026-11-26-04-contact-search': contactSearch,
  '2026-11-26-05-email': email,
  '2026-11-26-06-attachments': attachments,
  '2026-11-26-07-remote-content': remoteContent,
  '2026-11-26-08-contact-suggestions': contactSuggestions,
};
