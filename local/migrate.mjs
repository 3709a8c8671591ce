// @ts-check
/**
 * Applies the drizzle-kit migrations in migrations/ through Neon's SQL-over-HTTP driver, each
 * migration atomically (its statements and its journal row in one batch transaction), and rolls
 * the last one back with its hand-written migrations/down/<tag>.sql.
 *
 * It keeps drizzle's journal table (drizzle.__drizzle_migrations), so `drizzle-kit migrate`
 * and this script agree on what is applied. drizzle's own neon-http migrator is not used
 * because it runs statements one by one: a failure half-way would leave a half-applied step.
 *
 *   DATABASE_URL=postgres://... node local/migrate.mjs          # apply pending migrations
 *   DATABASE_URL=postgres://... node local/migrate.mjs --down   # roll back the last one
 * LOCAL_SQL_ENDPOINT=http://127.0.0.1:PORT/sql points the driver at the local endpoint.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { neon, neonConfig } from "@neondatabase/serverless";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DEFAULT_FOLDER = join(ROOT, "migrations");
const JOURNAL = '"drizzle"."__drizzle_migrations"';

/**
 * @typedef {{ tag: string, when: number, hash: string, statements: string[] }} Migration
 * @typedef {{ databaseUrl: string, sqlEndpoint?: string | null, migrationsFolder?: string, log?: (line: string) => void }} MigrateOptions
 */

/** @param {string} folder @returns {Migration[]} */
export function readMigrations(folder = DEFAULT_FOLDER) {
  const journal = JSON.parse(readFileSync(join(folder, "meta", "_journal.json"), "utf8"));
  return journal.entries.map((/** @type {{tag: string, when: number}} */ entry) => {
    const text = readFileSync(join(folder, `${entry.tag}.sql`), "utf8");
    return {
      tag: entry.tag,
      when: entry.when,
      // The same hash drizzle computes, so both tools recognise each other's rows.
      hash: createHash("sha256").update(text).digest("hex"),
      statements: text
        .split("--> statement-breakpoint")
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    };
  });
}

/** @param {MigrateOptions} options */
function connect(options) {
  if (options.sqlEndpoint) neonConfig.fetchEndpoint = options.sqlEndpoint;
  return neon(options.databaseUrl);
}

/** @param {import("@neondatabase/serverless").NeonQueryFunction<false, false>} sql @returns {Promise<number>} created_at of the newest applied step, 0 if none */
async function lastApplied(sql) {
  await sql.transaction([
    sql.query('CREATE SCHEMA IF NOT EXISTS "drizzle"'),
    sql.query(
      `CREATE TABLE IF NOT EXISTS ${JOURNAL} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
    ),
  ]);
  const rows = /** @type {{created_at: string | null}[]} */ (
    await sql.query(`SELECT created_at FROM ${JOURNAL} ORDER BY created_at DESC LIMIT 1`)
  );
  return Number(rows[0]?.created_at ?? 0);
}

/**
 * Applies every migration newer than the newest applied one. A second run is a no-op.
 * @param {MigrateOptions} options
 * @returns {Promise<{ applied: string[] }>}
 */
export async function migrate(options) {
  const sql = connect(options);
  const log = options.log ?? (() => {});
  const applied = [];
  for (const migration of readMigrations(options.migrationsFolder)) {
    // Re-read each time: a concurrent migrator may have applied it meanwhile.
    if ((await lastApplied(sql)) >= migration.when) continue;
    try {
      await sql.transaction([
        // Serialises concurrent migrators; the second one then fails on "already exists".
        sql.query("SELECT pg_advisory_xact_lock(727274)"),
        ...migration.statements.map((statement) => sql.query(statement)),
        sql.query(`INSERT INTO ${JOURNAL} (hash, created_at) VALUES ($1, $2)`, [
          migration.hash,
          migration.when,
        ]),
      ]);
    } catch (err) {
      if ((await lastApplied(sql)) >= migration.when) continue;
      throw new Error(`migration ${migration.tag} failed: ${/** @type {Error} */ (err).message}`, {
        cause: err,
      });
    }
    applied.push(migration.tag);
    log(`applied ${migration.tag}`);
  }
  return { applied };
}

/**
 * Rolls back the newest applied migration with migrations/down/<tag>.sql, atomically.
 * @param {MigrateOptions} options
 * @returns {Promise<{ rolledBack: string | null }>}
 */
export async function rollback(options) {
  const sql = connect(options);
  const folder = options.migrationsFolder ?? DEFAULT_FOLDER;
  const newest = await lastApplied(sql);
  const migration = readMigrations(folder).find((m) => m.when === newest);
  if (!migration) return { rolledBack: null };
  const downPath = join(folder, "down", `${migration.tag}.sql`);
  if (!existsSync(downPath)) throw new Error(`no roll-back file ${downPath}`);
  const statements = readFileSync(downPath, "utf8")
    .split("\n")
    .filter((line) => !line.trim().startsWith("--"))
    .join("\n")
    .split(";")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  await sql.transaction([
    ...statements.map((statement) => sql.query(statement)),
    sql.query(`DELETE FROM ${JOURNAL} WHERE created_at = $1`, [migration.when]),
  ]);
  options.log?.(`rolled back ${migration.tag}`);
  return { rolledBack: migration.tag };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error("DATABASE_URL is not set: give the postgres:// connection string to migrate.");
    process.exit(2);
  }
  const options = {
    databaseUrl,
    sqlEndpoint: process.env.LOCAL_SQL_ENDPOINT ?? null,
    log: (/** @type {string} */ line) => console.log(line),
  };
  const down = process.argv.includes("--down");
  (down ? rollback(options) : migrate(options)).then(
    (result) => console.log(JSON.stringify(result)),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
