import type { AppContext } from '../http/context.ts';

/** Placeholder until the demo seed lands: it does nothing. */
export async function seedDemoIfEmpty(_ctx: AppContext): Promise<void> {}
