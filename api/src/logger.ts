import { pino, type DestinationStream, type Logger } from 'pino';

export interface LoggerOptions {
  /** JSON lines (for log collectors; NODE_ENV=production) or one readable line per entry (the console). */
  json?: boolean;
  /** Where lines go; stdout by default. */
  destination?: DestinationStream;
}

/**
 * Structured logs; secrets in headers and inputs are redacted. Per-request lines are at debug level
 * (http/request-context.ts), so the default level (info) keeps the console to start, stop and problems.
 */
export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const out = options.destination ?? pino.destination({ dest: 1, sync: true });
  return pino(
    {
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
    },
    options.json === false ? readable(out) : out,
  );
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const OMIT = new Set(['level', 'time', 'pid', 'hostname', 'service', 'msg', 'err']);

/** pino's JSON (already redacted) as `HH:MM:SS LEVEL message key=value…`, an error's stack below. */
function readable(out: DestinationStream): DestinationStream {
  return {
    write(line: string) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      const time = new Date(entry.time as number).toTimeString().slice(0, 8);
      const fields = Object.entries(entry)
        .filter(([key]) => !OMIT.has(key))
        .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
      const level = (LEVELS[entry.level as number] ?? String(entry.level)).padEnd(5);
      const err = entry.err as { stack?: string; message?: string } | undefined;
      const stack = err ? `\n  ${(err.stack ?? err.message ?? '').replaceAll('\n', '\n  ')}` : '';
      out.write(`${time} ${level} ${[entry.msg ?? '', ...fields].join(' ')}${stack}\n`);
    },
  };
}
