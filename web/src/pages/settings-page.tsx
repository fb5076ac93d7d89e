import { useTranslation } from 'react-i18next';
import { useDocumentTitle } from '../components/document-title.ts';
import { AccountSettings } from '../settings/account-settings.tsx';
import { ApiTokens } from '../settings/api-tokens.tsx';
import { PasswordSettings } from '../settings/password-settings.tsx';
import { ReplyTemplates } from '../settings/reply-templates.tsx';
import { WorkspaceSettings } from '../settings/workspace-settings.tsx';
import { useSession, useSignedInSession } from '../session/session-context.tsx';

export function SettingsPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('settings.title'));
  const { user, workspace } = useSignedInSession();
  const session = useSession();
  return (
    <div className="page page-narrow">
      <h1>{t('settings.title')}</h1>
      <WorkspaceSettings workspace={workspace} isOwner={user.role === 'owner'} onSaved={session.replaceWorkspace} />
      <ReplyTemplates />
      <section className="card page-section" aria-labelledby="settings-account">
        <h2 id="settings-account">{t('settings.account.title')}</h2>
        <AccountSettings user={user} onSaved={session.replaceUser} />
        <hr />
        <PasswordSettings email={user.email} />
      </section>
      <ApiTokens />
    </div>
  );
}
