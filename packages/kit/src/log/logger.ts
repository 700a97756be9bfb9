import { type Logger, pino } from "pino";

export type { Logger };

/** Structured JSON logs on stdout; the supervisor prefixes each line with the service name. */
export function createLogger(
  service: string,
  level = "info",
  destination?: { write: (s: string) => void },
): Logger {
  const opts = {
    level,
    base: { svc: service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(opts, destination) : pino(opts);
}
