import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

/** Paths pino replaces with "[redacted]" wherever they appear in a log line. */
export const REDACT_PATHS = [
  "authorization",
  "cookie",
  "password",
  "newPassword",
  "currentPassword",
  "token",
  "secret",
  "*.authorization",
  "*.cookie",
  "*.password",
  "*.newPassword",
  "*.currentPassword",
  "*.token",
  "*.secret",
  "*.headers.authorization",
  "*.headers.cookie",
  '*.headers["set-cookie"]',
  '*["set-cookie"]',
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
    return pino({ ...base, transport: { target: "pino-pretty", options: { colorize: true, ignore: "pid,hostname" } } });
  }
  return pino(base);
}
