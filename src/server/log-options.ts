/**
 * The server's logger options: JSON lines for log collectors, or, on a person's terminal,
 * pino-pretty's one line per entry, coloured, with the time and without pid and host. Which one is
 * the caller's choice (the cli asks whether stdout is a TTY); secrets are redacted either way.
 */
import type { LoggerOptions } from 'pino';

const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'req.body.options',
  '*.options',
  '*.secrets',
];

export function loggerOptions(level: string, pretty: boolean): LoggerOptions {
  if (!pretty) return { level, redact: REDACT };
  return {
    level,
    redact: REDACT,
    transport: {
      target: 'pino-pretty',
      options: { colorize: true, singleLine: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' },
    },
  };
}
