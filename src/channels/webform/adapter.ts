// The website door: Portier's own public contact form. Messages arrive through the public form route,
// already checked for spam; replies go out through whatever door the visitor asked for.
import { Type } from '@sinclair/typebox';
import type { ChannelAdapter } from '../contract.ts';

export const webformAdapter: ChannelAdapter = {
  kind: 'webform',
  capabilities: { inbound: 'form', replyNatively: false, answerElsewhere: true },
  configSchema: Type.Object({}),
  secretFields: [],
};
