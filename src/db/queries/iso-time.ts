import { type SQL, sql } from "drizzle-orm";

/**
 * A timestamptz rendered by Postgres as ISO 8601 in UTC with milliseconds
 * ("2026-01-02T03:04:05.678Z"), the API's timestamp format, whatever the session time zone.
 */
export function isoTime(column: SQL): SQL {
  return sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}
