// What the list pane shows besides the view lives in the address (?q=, ?stage=, ?label=), so a
// conversation opened from search results keeps them beside it, and "back" returns to them.
import { CONTACT_STAGES } from '../api/types.ts';
import type { ContactStage, ListFilters } from '../api/types.ts';
import { navigate } from '../router/router.tsx';

export interface ListQuery extends ListFilters {
  q: string;
}

export function readListQuery(search: string): ListQuery {
  const params = new URLSearchParams(search);
  const stage = params.get('stage') ?? '';
  return {
    q: params.get('q') ?? '',
    stage: (CONTACT_STAGES as readonly string[]).includes(stage) ? (stage as ContactStage) : undefined,
    label: params.get('label')?.trim() || undefined,
  };
}

export function writeListQuery(query: ListQuery): string {
  const params = new URLSearchParams();
  if (query.q) params.set('q', query.q);
  if (query.stage) params.set('stage', query.stage);
  if (query.label) params.set('label', query.label);
  const search = params.toString();
  return search ? `?${search}` : '';
}

/** Changes the list's query on the current page, without a new history entry per keystroke. */
export function replaceListQuery(changes: Partial<ListQuery>): void {
  const next = { ...readListQuery(window.location.search), ...changes };
  navigate(window.location.pathname + writeListQuery(next), { replace: true });
}
