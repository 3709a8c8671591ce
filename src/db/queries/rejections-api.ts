/** Reading queue_rejections for operators (the admin API), newest first with keyset pages. */
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { isoTime } from "./iso-time";

export interface RejectionRecord {
  id: number;
  queue: string;
  message_id: string;
  reason: string;
  body: string;
  attempts: number;
  created_at: string;
}

/** One page of rejected queue messages, newest first; `beforeId` continues a previous page. */
export async function listRejections(
  db: Db,
  page: { beforeId?: number; limit: number },
): Promise<RejectionRecord[]> {
  const before = page.beforeId === undefined ? sql`` : sql`WHERE r.id < ${page.beforeId}`;
  const result = await db.execute<RejectionRecord & Record<string, unknown>>(sql`
    SELECT r.id::float8 AS id, r.queue, r.message_id, r.reason, r.body, r.attempts,
           ${isoTime(sql`r.created_at`)} AS created_at
      FROM queue_rejections r
      ${before}
     ORDER BY r.id DESC
     LIMIT ${page.limit}`);
  return result.rows as RejectionRecord[];
}
