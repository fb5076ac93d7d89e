// Runs one job's handler the same way on both backends and says what should happen next.
import type { Logger } from 'pino';
import { describeError, JobPayloadError, PermanentJobError, type JobDefinition } from './define-job.ts';

export type RunOutcome = { ok: true } | { ok: false; error: string; permanent: boolean };

export interface RunRequest {
  definition: JobDefinition<any>;
  jobId: string;
  payload: unknown;
  attempt: number;
  signal: AbortSignal;
  logger: Logger;
}

export async function runHandler({ definition, jobId, payload, attempt, signal, logger }: RunRequest): Promise<RunOutcome> {
  const log = logger.child({ job: definition.queueName, jobId, attempt });
  const started = Date.now();
  try {
    // Validated again at run time: the row may predate a schema change, or have been edited by
    // hand. A payload that no longer parses cannot start to parse on a retry.
    const parsed = definition.parsePayload(payload);
    await definition.handler(parsed, {
      jobId,
      queueName: definition.queueName,
      attempt,
      maxAttempts: definition.maxAttempts,
      signal,
      logger: log,
    });
    log.debug({ ms: Date.now() - started }, 'job done');
    return { ok: true };
  } catch (err) {
    const permanent = err instanceof PermanentJobError || err instanceof JobPayloadError;
    const last = permanent || attempt >= definition.maxAttempts;
    log[last ? 'error' : 'warn']({ err, ms: Date.now() - started, permanent }, last ? 'job failed for good' : 'job failed, will retry');
    return { ok: false, error: describeError(err), permanent };
  }
}
