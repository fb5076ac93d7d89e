// The website door: Portier's own public contact form (src/public/contact-routes.ts). Submissions
// arrive through that public route, already checked for spam, and `map.ts` turns them into inbound
// messages; replies go out through whatever door the visitor asked for.
import { Type } from '@sinclair/typebox';
import type { ChannelAdapter } from '../contract.ts';

export const webformAdapter: ChannelAdapter = {
  kind: 'webform',
  capabilities: { inbound: 'form', replyNatively: false, answerElsewhere: true },
  configSchema: Type.Object({}),
  secretFields: [],
};
