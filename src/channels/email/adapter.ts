// The e-mail entrance: any IMAP/SMTP account. Inbound mail is pulled by the sync loop
// (sync-manager.ts, started by the server) rather than through `pull`, because IMAP is a stateful
// conversation (IDLE, per-folder cursors) that a stateless page-by-page pull cannot express.
// Outbound replies go through the owner's SMTP server (smtp-send.ts).
import { ChannelError, type ChannelAdapter } from '../contract.ts';
import { EmailConfigSchema, type EmailConfig } from './imap-connection.ts';
import { sendEmailReply } from './smtp-send.ts';

export const emailAdapter: ChannelAdapter<EmailConfig> = {
  kind: 'email',
  capabilities: { inbound: 'pull', replyNatively: true },
  configSchema: EmailConfigSchema,
  secretFields: ['imap.password', 'imap.accessToken', 'smtp.password', 'smtp.accessToken'],

  async send(config, message) {
    if (!config?.imap || !config.ownAddresses?.length) throw new ChannelError('invalid_config', 'This e-mail entrance is not set up yet: add its server settings and your address.');
    const { externalId } = await sendEmailReply(config, message);
    return { externalId };
  },
};
