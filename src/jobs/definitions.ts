// Every job the application runs, bound to the running context. Register new jobs here.
import type { AppContext } from '../http/context.ts';
import { sendReplyJob } from '../inbox/send-reply-job.ts';
import type { JobDefinition } from './index.ts';

export function jobDefinitions(ctx: AppContext): JobDefinition<any>[] {
  return [sendReplyJob(ctx)];
}
