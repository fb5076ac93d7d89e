// A job is a definition (name, version, validated payload, retry policy) plus a thin handler. The
// definition is all a caller needs to enqueue; the queue backends never see anything else.
import type { Logger } from 'pino';
import { Kind, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export interface JobContext {
  jobId: string;
  /** The job's queue name: the definition's name, with `.v<version>` from version 2 on. */
  queueName: string;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
  /** Aborted when the queue stops and its grace period has run out; long handlers should honour it. */
  signal: AbortSignal;
  logger: Logger;
}

export interface Backoff {
  /** Delay before the second attempt; it doubles for each further attempt. */
  baseMs: number;
  /** The doubling stops here. */
  maxMs: number;
}

export interface JobDefinition<P = unknown> {
  name: string;
  version: number;
  /** Where jobs of this definition live; see queueNameOf. */
  queueName: string;
  /** Returns the payload typed, or throws JobPayloadError naming the job and the bad field. */
  parsePayload(input: unknown): P;
  handler(payload: P, ctx: JobContext): Promise<void>;
  /** Total runs including the first; 1 means never retry. */
  maxAttempts: number;
  backoff: Backoff;
}

export type PayloadParser<P> = (input: unknown) => P;

interface JobSpecBase {
  name: string;
  /**
   * Bump it when the payload changes incompatibly. A new version is a new queue: jobs enqueued
   * with the old shape are only run by the old definition, so keep that registered until they drain.
   */
  version?: number;
  maxAttempts?: number;
  backoff?: Partial<Backoff>;
}

/** A job whose payload is described by a TypeBox schema. */
export interface SchemaJobSpec<S extends TSchema> extends JobSpecBase {
  payload: S;
  handler(payload: Static<S>, ctx: JobContext): Promise<void>;
}

/** A job whose payload is checked by a function that returns it parsed and throws on bad input. */
export interface ParserJobSpec<P> extends JobSpecBase {
  payload: PayloadParser<P>;
  handler(payload: P, ctx: JobContext): Promise<void>;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_BACKOFF: Backoff = { baseMs: 10_000, maxMs: 60 * 60_000 };

/** Thrown at enqueue (and again at run time) when a payload does not match its job's schema. */
export class JobPayloadError extends Error {
  constructor(
    public readonly jobName: string,
    public readonly problems: string[],
  ) {
    super(`Invalid payload for job "${jobName}": ${problems.join('; ')}`);
    this.name = 'JobPayloadError';
  }
}

/**
 * Thrown by a handler when running the job again cannot help (the conversation was deleted, the
 * channel rejected the message as invalid): the job fails at once instead of using its retries.
 */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

// Queue names travel into pg-boss (which hashes them into partition table names) and into our own
// `job.name` column; keep them to characters that need no quoting anywhere.
const NAME_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/;

export function queueNameOf(name: string, version: number): string {
  return version === 1 ? name : `${name}.v${version}`;
}

export function defineJob<S extends TSchema>(spec: SchemaJobSpec<S>): JobDefinition<Static<S>>;
export function defineJob<P>(spec: ParserJobSpec<P>): JobDefinition<P>;
export function defineJob<P>(spec: JobSpecBase & { payload: TSchema | PayloadParser<P>; handler(payload: P, ctx: JobContext): Promise<void> }): JobDefinition<P> {
  if (!NAME_PATTERN.test(spec.name)) {
    throw new Error(`Job name "${spec.name}" is not allowed: use lower-case letters, digits, hyphens and dots, starting with a letter.`);
  }
  const version = spec.version ?? 1;
  if (!Number.isInteger(version) || version < 1) throw new Error(`Job "${spec.name}": version must be a whole number from 1.`);
  const maxAttempts = spec.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error(`Job "${spec.name}": maxAttempts must be a whole number from 1.`);
  const backoff = { ...DEFAULT_BACKOFF, ...spec.backoff };
  if (backoff.baseMs < 0 || backoff.maxMs < backoff.baseMs) throw new Error(`Job "${spec.name}": backoff needs 0 <= baseMs <= maxMs.`);

  const payload = spec.payload;
  const parsePayload: PayloadParser<P> = isTypeBoxSchema(payload)
    ? (input) => {
        if (Value.Check(payload, input)) return input as P;
        const problems = [...Value.Errors(payload, input)].slice(0, 5).map((e) => `${e.path || '(root)'}: ${e.message}`);
        throw new JobPayloadError(spec.name, problems);
      }
    : (input) => {
        try {
          return payload(input);
        } catch (err) {
          if (err instanceof JobPayloadError) throw err;
          throw new JobPayloadError(spec.name, [(err as Error).message ?? String(err)]);
        }
      };

  return {
    name: spec.name,
    version,
    queueName: queueNameOf(spec.name, version),
    parsePayload,
    handler: spec.handler,
    maxAttempts,
    backoff,
  };
}

function isTypeBoxSchema(value: unknown): value is TSchema {
  return typeof value === 'object' && value !== null && Kind in value;
}

/** Delay before attempt `failedAttempt + 1`: base, 2×base, 4×base, … capped at maxMs. */
export function retryDelayMs(backoff: Backoff, failedAttempt: number): number {
  const exponent = Math.min(Math.max(failedAttempt - 1, 0), 30);
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** exponent);
}

/** What we store as a job's last error: the message and the first stack lines, bounded. */
export function describeError(err: unknown): string {
  const text = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}
