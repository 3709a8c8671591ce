/**
 * Structured logs: one JSON object per line, capped at 8,000 characters as in the reference.
 * Callers pass already-redacted fields (see src/delivery/redact.ts); nothing here adds secrets.
 */
import { capLine } from "./delivery/redact";

type Level = "debug" | "info" | "warn" | "error";

/** Writes one structured log line. */
export function log(level: Level, event: string, fields: Record<string, unknown> = {}): void {
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
