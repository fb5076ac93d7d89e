// One small function per API call, named for what it does.
import { api, setCsrfToken } from './client.ts';
import type {
  ApiToken,
  ConversationDetail,
  ConversationSummary,
  Entrance,
  InboxView,
  NewEntrance,
  Page,
  Session,
  TokenScope,
  User,
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

export const createEntrance = (input: NewEntrance) => api.post<Entrance>('/entrances', input);

export const updateEntrance = (id: string, changes: Partial<NewEntrance>) =>
  api.patch<Entrance>(`/entrances/${encodeURIComponent(id)}`, changes);

export const deleteEntrance = (id: string) => api.delete(`/entrances/${encodeURIComponent(id)}`);

export const listConversations = (view: InboxView, options: { cursor?: string; signal?: AbortSignal } = {}) =>
  api.get<Page<ConversationSummary>>('/conversations', {
    query: { view, cursor: options.cursor, limit: 50 },
    ...(options.signal ? { signal: options.signal } : {}),
  });

export const fetchConversation = (id: string, signal?: AbortSignal) =>
  api.get<ConversationDetail>(`/conversations/${encodeURIComponent(id)}`, signal ? { signal } : {});
