import { sql } from "drizzle-orm";
import type { Db } from "../client";

/** One real round trip to the database. */
export async function pingDatabase(db: Db): Promise<void> {
  await db.execute(sql`select 1`);
}
