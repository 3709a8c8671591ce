// @ts-check
// Backend: embedded PGlite (one Postgres session), held exclusively per statement and per batch.
import { completeField } from "./protocol.mjs";

/** @typedef {import("./protocol.mjs").SqlQuery} SqlQuery */
/** @typedef {import("./protocol.mjs").RawResult} RawResult */
/** @typedef {import("./protocol.mjs").Backend} Backend */
/** @typedef {import("@electric-sql/pglite").PGlite} PGlite */

const identity = (/** @type {any} */ value) => value;
// PGlite looks types up in `db.parsers` / `db.serializers` (falling back to its built-ins only for
// a missing key, and adding array types at start-up), so a map that answers every key with the
// identity makes values leave as the text Postgres sent and params go in as the driver's text.
const RAW = new Proxy(/** @type {Record<string | number, (value: any) => any>} */ ({}), {
  get: () => identity,
  set: () => true,
});

/**
 * @param {string | undefined} dataDir persisted there when given, in memory otherwise
 * @param {(line: string) => void} log
 * @returns {Promise<Backend>}
 */
export async function createPgliteBackend(dataDir, log) {
  // Imported lazily: the WASM module is heavy and the Postgres backend never needs it.
  const { PGlite } = await import("@electric-sql/pglite");
  const started = Date.now();
  const db = await PGlite.create(dataDir ? { dataDir } : {});
  db.parsers = RAW;
  db.serializers = RAW;
  log(`pglite ready in ${Date.now() - started} ms (${dataDir ?? "in memory"})`);
  const exclusive = createQueue();

  return {
    kind: "pglite",
    execute: (queries, begin) =>
      exclusive(async () => {
        try {
          return begin ? await runBatch(db, queries, begin) : [await runOne(db, queries[0])];
        } finally {
          // Each HTTP request is its own session on Neon: a stray BEGIN must not leak into the next.
          if (db.isInTransaction()) await db.query("ROLLBACK");
        }
      }),
    close: () => exclusive(() => db.close()),
  };
}

/**
 * @param {PGlite} db
 * @param {SqlQuery[]} queries
 * @param {string} begin
 */
async function runBatch(db, queries, begin) {
  // On error the caller's ROLLBACK ends the transaction (PGlite reports it as still open).
  await db.query(begin);
  const results = [];
  for (const q of queries) results.push(await runOne(db, q));
  await db.query("COMMIT");
  return results;
}

/**
 * @param {PGlite} db
 * @param {SqlQuery | undefined} q
 * @returns {Promise<RawResult>}
 */
async function runOne(db, q) {
  if (!q) throw new Error("no query");
  // query() uses the extended protocol, so a multi-statement string fails as on Neon.
  const res = await db.query(q.query, q.params, { rowMode: "array" });
  return {
    command: res.command ?? "",
    rowCount: res.rowCount ?? null,
    fields: res.fields.map(completeField),
    rows: /** @type {(string | null)[][]} */ (res.rows),
  };
}

/**
 * Runs tasks one at a time in arrival order (a mutex with a FIFO queue).
 * @returns {<T>(task: () => Promise<T>) => Promise<T>}
 */
function createQueue() {
  /** @type {Promise<unknown>} */
  let tail = Promise.resolve();
  return (task) => {
    const run = tail.then(task);
    tail = run.catch(() => {});
    return run;
  };
}
