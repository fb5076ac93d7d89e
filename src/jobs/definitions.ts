// Every job the application runs, bound to the running context. Register new jobs here.
import type { AppContext } from '../http/context.ts';
import { sendReplyJob } from '../inbox/send-reply-job.ts';
import { followUpJob } from '../inbox/follow-up-job.ts';
import { scanContactSuggestionsJob } from '../contacts/scan-contact-suggestions.ts';
import type { JobDefinition } from './index.ts';

export function jobDefinitions(ctx: AppContext): JobDefinition<any>[] {
  return [sendReplyJob(ctx), followUpJob(ctx), scanContactSuggestionsJob(ctx)];
}
