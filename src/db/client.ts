/**
 * The database handle: drizzle over Neon's SQL-over-HTTP driver. Every state change is one
 * statement or one `db.batch()` (an atomic transaction); there are no interactive transactions.
 */
import { neon, neonConfig } from "@neondatabase/serverless";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import type { Config } from "../config";
import * as schema from "./schema";

export type Db = NeonHttpDatabase<typeof schema>;

const cache = new Map<string, Db>();

/** The drizzle instance for this configuration (one per isolate and connection string). */
export function getDb(config: Config): Db {
  // Local runs point the driver at the local endpoint; production leaves Neon's default.
  // The setting is process-wide in the driver, and one isolate serves one configuration.
  if (config.localSqlEndpoint) neonConfig.fetchEndpoint = config.localSqlEndpoint;
  const key = `${config.localSqlEndpoint ?? ""} ${config.databaseUrl}`;
  let db = cache.get(key);
  if (!db) {
    db = drizzle({ client: neon(config.databaseUrl), schema });
    cache.set(key, db);
  }
  return db;
}
