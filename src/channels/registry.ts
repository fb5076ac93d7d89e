// The one place that switches on entrance kind. Kinds without an adapter are entrances Portier
// shows and watches (a profile URL, a phone number) but does not connect to yet.
import type { ChannelAdapter } from './contract.ts';
import { webhookAdapter } from './webhook/adapter.ts';
import { manualAdapter } from './manual/adapter.ts';
import { webformAdapter } from './webform/adapter.ts';
import { emailAdapter } from './email/adapter.ts';

const adapters: Record<string, ChannelAdapter<any>> = {
  webhook: webhookAdapter,
  manual: manualAdapter,
  phone: manualAdapter,
  referral: manualAdapter,
  webform: webformAdapter,
  email: emailAdapter,
};

export function adapterFor(kind: string): ChannelAdapter<any> | undefined {
  return adapters[kind];
}
