import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'communities'): Logger {
  return pino({ name, level, redact: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie'] });
}
