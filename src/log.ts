/**
 * Structured logs: one JSON object per line, capped at 8,000 characters as in the reference.
 * Callers pass already-redacted fields (see src/delivery/redact.ts); nothing here adds secrets.
 */
import { capLine } from "./delivery/redact";

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

let threshold = LOG_LEVELS.indexOf("info");

/** Sets the lowest level that is written (from LOG_LEVEL, via the config). */
export function setLogLevel(level: LogLevel): void {
  threshold = LOG_LEVELS.indexOf(level);
}

/** Writes one structured log line. */
export function log(level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
  if (LOG_LEVELS.indexOf(level) < threshold) return;
  let line: string;
  try {
    line = JSON.stringify({ level, event, time: new Date().toISOString(), ...fields });
  } catch {
    line = JSON.stringify({ level, event, note: "fields were not serialisable" });
  }
  line = capLine(line);
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
