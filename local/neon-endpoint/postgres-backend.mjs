// @ts-check
// Backend: a real PostgreSQL server through pg.Pool, every value left as the text Postgres sent.
import pg from "pg";
import { completeField, isPostgresError } from "./protocol.mjs";

/** @typedef {import("./protocol.mjs").SqlQuery} SqlQuery */
/** @typedef {import("./protocol.mjs").RawResult} RawResult */
/** @typedef {import("./protocol.mjs").Backend} Backend */

const identity = (/** @type {string} */ value) => value;
// The driver parses values itself, so the endpoint must not: every type parser is the identity.
const RAW_TYPES = { getTypeParser: () => identity };

/**
 * @param {string} databaseUrl
 * @param {(line: string) => void} log
 * @returns {Backend}
 */
export function createPostgresBackend(databaseUrl, log) {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    types: /** @type {any} */ (RAW_TYPES),
  });
  // An idle client losing its connection must not crash the process; the next request reports it.
  pool.on("error", (err) => log(`postgres pool: ${err.message}`));

  return {
    kind: "postgres",
    async execute(queries, begin) {
      const client = await pool.connect();
      /** @type {Error | undefined} */
      let discard;
      try {
        const results = begin
          ? await runBatch(client, queries, begin)
          : [await runOne(client, queries[0])];
        // Each HTTP request is its own session on Neon: never hand a client with an open transaction back.
        if (client.getTransactionStatus() !== "I") discard = new Error("left a transaction open");
        return results;
      } catch (err) {
        if (!isPostgresError(err)) discard = /** @type {Error} */ (err);
        throw err;
      } finally {
        client.release(discard);
      }
    },
    close: () => pool.end(),
  };
}

/**
 * @param {pg.PoolClient} client
 * @param {SqlQuery[]} queries
 * @param {string} begin
 */
async function runBatch(client, queries, begin) {
  await client.query(begin);
  try {
    const results = [];
    for (const q of queries) results.push(await runOne(client, q));
    await client.query("COMMIT");
    return results;
  } catch (err) {
    // After a failed COMMIT the transaction is already gone; ROLLBACK then only warns.
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  }
}

/**
 * @param {pg.PoolClient} client
 * @param {SqlQuery | undefined} q
 * @returns {Promise<RawResult>}
 */
async function runOne(client, q) {
  if (!q) throw new Error("no query");
  // Extended protocol even without params, so "SELECT 1; SELECT 2" fails as it does on Neon.
  const config = { text: q.query, values: q.params, rowMode: "array", queryMode: "extended" };
  const res = await client.query(/** @type {pg.QueryArrayConfig} */ (config));
  return {
    command: res.command ?? "",
    rowCount: res.rowCount ?? null,
    fields: res.fields.map(completeField),
    rows: res.rows,
  };
}
