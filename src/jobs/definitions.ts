// Every job the application runs, bound to the running context. Register new jobs here.
import type { AppContext } from '../http/context.ts';
import type { JobDefinition } from './index.ts';

export function jobDefinitions(_ctx: AppContext): JobDefinition<any>[] {
  return [];
}
