import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';

/** Structured JSON logs; on a terminal, readable lines instead (set PORTIER_LOG_FORMAT=json to keep JSON). */
export function createLogger(config: Pick<Config, 'logLevel'>, pretty = process.stdout.isTTY && process.env.PORTIER_LOG_FORMAT !== 'json'): Logger {
  return pino({
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.secret', '*.token'], censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
  });
}
