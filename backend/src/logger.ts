import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

/** Keys whose values must never reach a log line. */
const SECRET_KEYS = ["authorization", "cookie", "password", "newPassword", "currentPassword", "token", "secret"];

/**
 * Paths pino replaces with "[redacted]". Top-level keys, and anything inside `err`, the only nested
 * object our log calls carry (errors from HTTP and database clients can hold request headers or
 * connection options). No top-level wildcard (`*.token`) on purpose: pino then runs the redactor on
 * every value of every line, which was a quarter of all memory allocated per request (issue 9).
 */
export const REDACT_PATHS = [
  ...SECRET_KEYS,
  '["set-cookie"]',
  ...SECRET_KEYS.map((key) => `err.${key}`),
  ...SECRET_KEYS.map((key) => `err.*.${key}`),
  ...SECRET_KEYS.map((key) => `err.*.headers.${key}`),
  'err.*["set-cookie"]',
  'err.*.headers["set-cookie"]',
];

interface LoggerOptions {
  level: string;
  pretty?: boolean;
  destination?: DestinationStream;
}

/** JSON logs to stdout (or a given stream); pretty-printed only when asked for in local dev. */
export function createLogger(options: LoggerOptions): Logger {
  const base = {
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    base: undefined,
  };
  if (options.destination) return pino(base, options.destination);
  if (options.pretty) {
    // One line per entry: a request is one line in the dev terminal, not six.
    const pretty = { colorize: true, ignore: "pid,hostname", singleLine: true };
    return pino({ ...base, transport: { target: "pino-pretty", options: pretty } });
  }
  return pino(base);
}
