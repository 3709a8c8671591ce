import { sql } from "drizzle-orm";
import type { Db } from "../client";

export interface Rejection {
  queue: string;
  messageId: string;
  reason: string;
  body: string;
  attempts: number;
}

/** Keeps a message that cannot run where an operator can find it; a redelivery updates it. */
export async function recordRejection(db: Db, rejection: Rejection): Promise<void> {
  await db.execute(sql`
    INSERT INTO queue_rejections (queue, message_id, reason, body, attempts)
    VALUES (${rejection.queue}, ${rejection.messageId}, ${rejection.reason},
            ${rejection.body}, ${rejection.attempts})
    ON CONFLICT (queue, message_id) DO UPDATE
       SET reason = excluded.reason, attempts = excluded.attempts`);
}
