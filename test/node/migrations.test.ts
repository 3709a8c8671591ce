/**
 * Migrations apply through the Neon driver on every backend we support (PGlite, and the
 * PostgreSQL server named by TEST_DATABASE_URL when set), a second apply is a no-op, and the
 * documented roll-back removes everything the step created.
 */
import { neon } from "@neondatabase/serverless";
import { afterAll, describe, expect, it } from "vitest";
import { migrate, readMigrations, rollback } from "../../local/migrate.mjs";
import { startNeonEndpoint } from "../../local/neon-endpoint.mjs";
import { createScratchDatabase } from "../../local/scratch-db.mjs";

const WORKER_URL = "postgres://local:local@localhost:5432/local";
const backends = ["pglite", ...(process.env.TEST_DATABASE_URL ? ["postgres"] : [])];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function endpointFor(backend: string) {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | null = null;
  if (backend === "postgres") {
    scratch = await createScratchDatabase(process.env.TEST_DATABASE_URL ?? "");
    cleanups.push(scratch.drop);
  }
  const endpoint = await startNeonEndpoint(scratch ? { databaseUrl: scratch.url } : {});
  cleanups.push(endpoint.close);
  return endpoint;
}

async function tables(sqlEndpoint: string): Promise<string[]> {
  const { neonConfig } = await import("@neondatabase/serverless");
  neonConfig.fetchEndpoint = sqlEndpoint;
  const rows = (await neon(WORKER_URL).query(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
  )) as { table_name: string }[];
  return rows.map((r) => r.table_name);
}

describe.each(backends)("migrations on %s", (backend) => {
  it("apply once, are a no-op the second time, and roll back cleanly", async () => {
    const endpoint = await endpointFor(backend);
    const options = { databaseUrl: WORKER_URL, sqlEndpoint: endpoint.url };
    const all = readMigrations().map((m) => m.tag);

    expect(await migrate(options)).toEqual({ applied: all });
    expect(await tables(endpoint.url)).toEqual(
      expect.arrayContaining(["organizations", "webhook_deliveries", "webhook_delivery_attempts"]),
    );
    expect(await migrate(options)).toEqual({ applied: [] });

    const newest = all[all.length - 1];
    expect(await rollback(options)).toEqual({ rolledBack: newest });
    if (all.length === 1) {
      expect(await tables(endpoint.url)).toEqual([]);
      const types = (await neon(WORKER_URL).query(
        "SELECT 1 FROM pg_type WHERE typname = 'webhook_delivery_status'",
      )) as unknown[];
      expect(types).toEqual([]);
    }
    expect(await migrate(options)).toEqual({ applied: [newest] });
  });
});
