// Manual entries: a phone call, a conversation at a seminar, a recommendation — logged by the owner.
// There is nothing to receive or send; the owner's entry goes straight into the ingest pipeline.
import { Type } from '@sinclair/typebox';
import type { ChannelAdapter } from '../contract.ts';

export const manualAdapter: ChannelAdapter = {
  kind: 'manual',
  capabilities: { inbound: 'manual', replyNatively: false, answerElsewhere: true },
  configSchema: Type.Object({}),
  secretFields: [],
};
