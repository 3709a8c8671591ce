// @ts-check
/**
 * Makes sure the dev organization and its API key exist (idempotent), so `npm run dev` is usable
 * at once. The key is stored the way the API stores every key: SHA-256 hash plus a display prefix.
 */
import { createHash } from "node:crypto";
import { neon, neonConfig } from "@neondatabase/serverless";

export const DEV_ORGANIZATION_NAME = "Development";

/**
 * @param {{ databaseUrl: string, sqlEndpoint: string, apiKey: string }} options
 * @returns {Promise<{ id: number }>}
 */
export async function ensureDevOrganization({ databaseUrl, sqlEndpoint, apiKey }) {
  neonConfig.fetchEndpoint = sqlEndpoint;
  const sql = neon(databaseUrl);
  const hash = createHash("sha256").update(apiKey, "utf8").digest("hex");
  const existing = /** @type {{organization_id: number}[]} */ (
    await sql.query("SELECT organization_id FROM api_keys WHERE key_hash = $1", [hash])
  );
  if (existing[0]) {
    await sql.query("UPDATE api_keys SET is_active = true, revoked_at = NULL WHERE key_hash = $1", [
      hash,
    ]);
    return { id: existing[0].organization_id };
  }
  const [created] = /** @type {[{id: number}][]} */ (
    await sql.transaction([
      sql.query("INSERT INTO organizations (name) VALUES ($1) RETURNING id", [
        DEV_ORGANIZATION_NAME,
      ]),
      sql.query(
        `INSERT INTO api_keys (organization_id, name, key_prefix, key_hash)
         VALUES (currval(pg_get_serial_sequence('organizations', 'id')), 'dev', $1, $2)`,
        [apiKey.slice(0, 12), hash],
      ),
    ])
  );
  const id = created?.[0]?.id;
  if (id === undefined) throw new Error("creating the dev organization returned no id");
  return { id };
}
