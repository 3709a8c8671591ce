/**
 * The local Neon-compatible endpoint, exercised from workerd through the real
 * @neondatabase/serverless driver and drizzle's neon-http, as the Worker uses them.
 */
import { NeonDbError, neon, neonConfig } from "@neondatabase/serverless";
import { sql as dsql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-http";
import { integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

neonConfig.fetchEndpoint = inject("sqlEndpoint");
const sql = neon(inject("databaseUrl"));
const db = drizzle({ client: sql });
const table = `ep_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
const items = pgTable(table, {
  id: integer("id").primaryKey(),
  tag: text("tag").notNull(),
  doc: jsonb("doc"),
  at: timestamp("at", { withTimezone: true, mode: "string" }),
});

beforeAll(async () => {
  await sql.query(
    `CREATE TABLE ${table} (id integer PRIMARY KEY, tag text NOT NULL, doc jsonb, at timestamptz,
       CONSTRAINT ${table}_tag_key UNIQUE (tag))`,
  );
});
afterAll(async () => {
  await sql.query(`DROP TABLE IF EXISTS ${table}`);
});

async function count(where = "true"): Promise<number> {
  const rows = (await sql.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`)) as {
    n: number;
  }[];
  return rows[0]?.n ?? -1;
}

describe("local Neon endpoint", () => {
  it("runs a single parameterised query", async () => {
    const rows = await sql`SELECT ${41}::int + 1 AS answer, ${"héllo"}::text AS greeting`;
    expect(rows).toEqual([{ answer: 42, greeting: "héllo" }]);
  });

  it("commits a batch as one transaction", async () => {
    await sql.transaction([
      sql.query(`INSERT INTO ${table} (id, tag) VALUES (1, 'commit-a')`),
      sql.query(`INSERT INTO ${table} (id, tag) VALUES (2, 'commit-b')`),
    ]);
    await db.batch([
      db.insert(items).values({ id: 3, tag: "commit-c" }),
      db.insert(items).values({ id: 4, tag: "commit-d" }),
    ]);
    expect(await count("tag LIKE 'commit-%'")).toBe(4);
  });

  it("rolls a batch back when a later statement fails", async () => {
    await expect(
      sql.transaction([
        sql.query(`INSERT INTO ${table} (id, tag) VALUES (10, 'rollback-a')`),
        sql.query(`INSERT INTO ${table} (id, tag) VALUES (10, 'rollback-b')`),
      ]),
    ).rejects.toThrow(/duplicate key/);
    await expect(
      db.batch([
        db.insert(items).values({ id: 11, tag: "rollback-c" }),
        db.execute(dsql`SELECT 1 / 0`),
      ]),
    ).rejects.toThrow(/division by zero/);
    expect(await count("tag LIKE 'rollback-%'")).toBe(0);
  });

  it("surfaces a unique violation with code 23505 and the constraint name", async () => {
    await sql.query(`INSERT INTO ${table} (id, tag) VALUES (20, 'unique-x')`);
    const raw = await sql
      .query(`INSERT INTO ${table} (id, tag) VALUES (21, 'unique-x')`)
      .catch((e) => e);
    expect(raw).toBeInstanceOf(NeonDbError);
    expect(raw).toMatchObject({ code: "23505", constraint: `${table}_tag_key`, table });
    const viaDrizzle = await db
      .insert(items)
      .values({ id: 22, tag: "unique-x" })
      .catch((e: unknown) => e);
    expect((viaDrizzle as { cause?: unknown }).cause).toMatchObject({
      code: "23505",
      constraint: `${table}_tag_key`,
    });
  });

  it("round-trips jsonb and timestamptz", async () => {
    const doc = { nested: { list: [1, "two", null, true], emoji: "📞" }, n: 1.5 };
    await db.insert(items).values({ id: 30, tag: "json", doc, at: "2026-12-03T10:11:12.345678Z" });
    const [row] = await db.select().from(items).where(dsql`${items.id} = 30`);
    expect(row?.doc).toEqual(doc);
    expect(new Date(row?.at ?? "").toISOString()).toBe("2026-12-03T10:11:12.345Z");
    const [micro] = (await sql.query(
      `SELECT to_char(at AT TIME ZONE 'UTC', 'US') AS us FROM ${table} WHERE id = 30`,
    )) as { us: string }[];
    expect(micro?.us).toBe("345678");
  });

  it("rejects a multi-statement string as Neon does", async () => {
    await expect(sql.query("SELECT 1; SELECT 2")).rejects.toThrow(/multiple commands|syntax/i);
  });

  it("never lets concurrent batches see each other's uncommitted rows", async () => {
    // Each batch inserts three rows, counts every row in the table, then deletes its own before
    // committing. Serialised (or isolated) batches always count exactly their own three.
    const base = await count();
    const counts = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        sql
          .transaction([
            sql.query(`INSERT INTO ${table} (id, tag) VALUES ($1, $2), ($3, $4), ($5, $6)`, [
              1000 + i * 3,
              `c${i}a`,
              1001 + i * 3,
              `c${i}b`,
              1002 + i * 3,
              `c${i}c`,
            ]),
            sql.query(`SELECT count(*)::int AS n FROM ${table}`),
            sql.query(`DELETE FROM ${table} WHERE id BETWEEN $1 AND $2`, [
              1000 + i * 3,
              1002 + i * 3,
            ]),
          ])
          .then((results) => (results[1] as { n: number }[])[0]?.n),
      ),
    );
    expect(counts).toEqual(Array.from({ length: 40 }, () => base + 3));
    expect(await count()).toBe(base);
  });
});
