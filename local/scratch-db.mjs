// @ts-check
/** Throwaway databases on a PostgreSQL server, so test and benchmark runs never touch real data. */
import { randomBytes } from "node:crypto";
import pg from "pg";

/** @typedef {{ url: string, drop: () => Promise<void> }} ScratchDatabase */

/** @param {string} serverUrl @param {string} statement */
async function run(serverUrl, statement) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Creates `<prefix>_<random>` on the server of `serverUrl`; `drop()` removes it again.
 * @param {string} serverUrl
 * @param {string} [prefix]
 * @returns {Promise<ScratchDatabase>}
 */
export async function createScratchDatabase(serverUrl, prefix = "webhook_test") {
  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  await run(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => run(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
