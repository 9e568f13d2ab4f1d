import { pino, type Logger } from 'pino';

/** Structured JSON logs; secrets in headers and inputs are redacted. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'api' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.password',
        '*.currentPassword',
        '*.newPassword',
        '*.refreshToken',
      ],
      censor: '[redacted]',
    },
  });
}
