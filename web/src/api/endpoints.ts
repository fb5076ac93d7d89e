// One small function per API call, named for what it does.
import { api, setCsrfToken } from './client.ts';
import type {
  ConnectionReport,
  DomainCheckReport,
  EntranceSettings,
  ProviderSettings,
  ApiToken,
  Contact,
  ContactChanges,
  ContactListItem,
  ContactSuggestion,
  ConversationChanges,
  ConversationDetail,
  ConversationSummary,
  Entrance,
  EntranceChanges,
  InboxCounts,
  InboxView,
  ListFilters,
  ManualEntry,
  NewEntrance,
  NewTemplate,
  Page,
  ReplyMode,
  SearchResults,
  Session,
  Template,
  TokenScope,
  User,
  WebhookConnection,
  Workspace,
} from './types.ts';

function remember(session: Session): Session {
  setCsrfToken(session.csrfToken);
  return session;
}

export async function fetchSession(): Promise<Session> {
  return remember(await api.get<Session>('/session', { signOutOn401: false }));
}

export async function signIn(email: string, password: string): Promise<Session> {
  return remember(await api.post<Session>('/session', { email, password }, { signOutOn401: false }));
}

export async function signOut(): Promise<void> {
  try {
    await api.delete('/session', { signOutOn401: false });
  } finally {
    setCsrfToken(null);
  }
}

export function checkSetupToken(token: string): Promise<{ valid: true; expiresAt: number }> {
  return api.get(`/setup/${encodeURIComponent(token)}`, { signOutOn401: false });
}

export interface SetupInput {
  token: string;
  workspace: { name: string; handle: string; locale: string; languages: string[]; timeZone: string };
  owner: { email: string; password: string; displayName: string };
}

export async function completeSetup(input: SetupInput): Promise<Session> {
  return remember(await api.post<Session>('/setup', input, { signOutOn401: false }));
}

export const updateWorkspace = (changes: Partial<Pick<Workspace, 'name' | 'locale' | 'languages' | 'timeZone'>>) =>
  api.patch<Workspace>('/workspace', changes);

export const updateAccount = (changes: { displayName?: string; locale?: string | null }) =>
  api.patch<User>('/account', changes);

export const changePassword = (currentPassword: string, newPassword: string) =>
  api.post<void>('/account/password', { currentPassword, newPassword });

export const listTokens = () => api.get<{ items: ApiToken[] }>('/tokens');

export const createToken = (input: { name: string; scopes: TokenScope[]; expiresInDays?: number }) =>
  api.post<{ token: ApiToken; secret: string }>('/tokens', input);

export const revokeToken = (id: string) => api.delete(`/tokens/${encodeURIComponent(id)}`);

export const listEntrances = () => api.get<{ items: Entrance[] }>('/entrances');

export const createEntrance = (input: NewEntrance) =>
  api.post<Entrance & { connection?: WebhookConnection }>('/entrances', input);

export const updateEntrance = (id: string, changes: EntranceChanges) =>
  api.patch<Entrance>(`/entrances/${encodeURIComponent(id)}`, changes);

export const deleteEntrance = (id: string) => api.delete(`/entrances/${encodeURIComponent(id)}`);

export const fetchEntrance = (id: string) => api.get<Entrance>(`/entrances/${encodeURIComponent(id)}`);

export const fetchEntranceSettings = (id: string) =>
  api.get<EntranceSettings>(`/entrances/${encodeURIComponent(id)}/settings`);

/** Tests the stored settings with `config` (unsaved changes) on top; for a new entrance, the whole settings. */
export const testEmailConnection = (entranceId: string | null, config: Record<string, unknown>) =>
  entranceId
    ? api.post<ConnectionReport>(`/entrances/${encodeURIComponent(entranceId)}/test-connection`, { config })
    : api.post<ConnectionReport>('/email-connection-test', { config });

export const fetchEmailProvider = (address: string, signal?: AbortSignal) =>
  api.get<{ provider: ProviderSettings | null }>('/email-providers', { query: { address }, ...(signal ? { signal } : {}) });

/** Checks the SPF, DKIM and DMARC records of the sending domain, with the saved settings. */
export const checkSenderDomain = (entranceId: string) =>
  api.post<DomainCheckReport>(`/entrances/${encodeURIComponent(entranceId)}/domain-check`);

const withSignal = (signal?: AbortSignal) => (signal ? { signal } : {});
const segment = encodeURIComponent;

export const listConversations = (
  view: InboxView,
  options: { cursor?: string; signal?: AbortSignal; filters?: ListFilters } = {},
) =>
  api.get<Page<ConversationSummary>>('/conversations', {
    query: { view, cursor: options.cursor, limit: 50, stage: options.filters?.stage, label: options.filters?.label },
    ...withSignal(options.signal),
  });

export const fetchConversation = (id: string, signal?: AbortSignal) =>
  api.get<ConversationDetail>(`/conversations/${segment(id)}`, withSignal(signal));

export const replyToConversation = (id: string, text: string, mode: ReplyMode) =>
  api.post<{ messageId: string }>(`/conversations/${segment(id)}/messages`, { text, mode });

export const updateConversation = (id: string, changes: ConversationChanges) =>
  api.patch<void>(`/conversations/${segment(id)}`, changes);

export const logManualMessage = (entranceId: string, entry: ManualEntry) =>
  api.post<{ conversationId: string; contactId: string; messageId: string }>(
    `/entrances/${segment(entranceId)}/messages`,
    entry,
  );

export const fetchInboxCounts = (signal?: AbortSignal) => api.get<InboxCounts>('/inbox/counts', withSignal(signal));

export const listTemplates = (signal?: AbortSignal) => api.get<{ items: Template[] }>('/templates', withSignal(signal));

export const createTemplate = (input: NewTemplate) => api.post<Template>('/templates', input);

export const updateTemplate = (id: string, changes: Partial<NewTemplate>) =>
  api.patch<Template>(`/templates/${segment(id)}`, changes);

export const deleteTemplate = (id: string) => api.delete(`/templates/${segment(id)}`);

export const searchInbox = (
  query: { q: string; entranceId?: string; from?: number; to?: number },
  signal?: AbortSignal,
) => api.get<SearchResults>('/search', { query, ...withSignal(signal) });

export const fetchContact = (id: string, signal?: AbortSignal) =>
  api.get<Contact>(`/contacts/${segment(id)}`, withSignal(signal));

export const updateContact = (id: string, changes: ContactChanges) =>
  api.patch<Contact | undefined>(`/contacts/${segment(id)}`, changes);

export const findContacts = (q: string, signal?: AbortSignal) =>
  api.get<{ items: ContactListItem[] }>('/contacts', { query: { q }, ...withSignal(signal) });

export const mergeContact = (intoId: string, fromContactId: string) =>
  api.post<{ mergeId: string }>(`/contacts/${segment(intoId)}/merge`, { fromContactId });

export const undoContactMerge = (mergeId: string) => api.post<void>(`/contacts/merges/${segment(mergeId)}/undo`);

export const fetchContactSuggestions = (contactId: string, signal?: AbortSignal) =>
  api.get<{ items: ContactSuggestion[] }>(`/contacts/${segment(contactId)}/suggestions`, withSignal(signal));

export const confirmContactSuggestion = (suggestionId: string, intoContactId: string) =>
  api.post<{ mergeId: string; intoContactId: string; fromContactId: string }>(`/contact-suggestions/${segment(suggestionId)}/confirm`, { intoContactId });

export const dismissContactSuggestion = (suggestionId: string) => api.post<void>(`/contact-suggestions/${segment(suggestionId)}/dismiss`);
