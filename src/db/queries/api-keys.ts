/** API key lookups and writes. Keys are only ever handled as their SHA-256 hex (see src/auth). */
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { isoTime } from "./iso-time";

/** `last_used_at` is refreshed at most this often, so busy keys do not write on every request. */
const LAST_USED_RESOLUTION_SECONDS = 60;

export interface AuthenticatedKey {
  organization_id: number;
  key_hash: string;
}

/**
 * The active, unrevoked key with this hash, refreshing its `last_used_at` in the same statement
 * (one round trip). Null when no such key exists.
 */
export async function authenticateKeyHash(
  db: Db,
  keyHash: string,
): Promise<AuthenticatedKey | null> {
  const result = await db.execute<{ organization_id: number; key_hash: string }>(sql`
    WITH k AS (
      SELECT id, organization_id, key_hash, last_used_at FROM api_keys
       WHERE key_hash = ${keyHash} AND is_active AND revoked_at IS NULL
    ), touched AS (
      UPDATE api_keys SET last_used_at = now()
        FROM k
       WHERE api_keys.id = k.id
         AND (k.last_used_at IS NULL
              OR k.last_used_at < now() - make_interval(secs => ${LAST_USED_RESOLUTION_SECONDS}))
    )
    SELECT organization_id, key_hash FROM k`);
  return (result.rows[0] as AuthenticatedKey | undefined) ?? null;
}

export interface ApiKeyRow {
  id: number;
  organization_id: number;
  name: string;
  key_prefix: string;
  created_at: string;
}

/** Adds a key to an existing organization; null when the organization does not exist. */
export async function insertApiKey(
  db: Db,
  organizationId: number,
  key: { name: string; keyPrefix: string; keyHash: string },
): Promise<ApiKeyRow | null> {
  const result = await db.execute<ApiKeyRow & Record<string, unknown>>(sql`
    INSERT INTO api_keys (organization_id, name, key_prefix, key_hash)
    SELECT o.id, ${key.name}::text, ${key.keyPrefix}::text, ${key.keyHash}::text
      FROM organizations o
     WHERE o.id = ${organizationId}
    RETURNING id, organization_id, name, key_prefix, ${isoTime(sql`created_at`)} AS created_at`);
  return (result.rows[0] as ApiKeyRow | undefined) ?? null;
}

/**
 * Revokes one key named by its id or its display prefix. "ambiguous" when a prefix names more
 * than one key (nothing is revoked then); revoking a revoked key again is fine.
 */
export async function revokeApiKey(
  db: Db,
  ref: { id: number } | { prefix: string },
): Promise<"revoked" | "not_found" | "ambiguous"> {
  const match =
    "id" in ref
      ? sql`SELECT id FROM api_keys WHERE id = ${ref.id}`
      : sql`
      SELECT id FROM api_keys WHERE key_prefix = ${ref.prefix}`;
  const result = await db.execute<{ matches: number; revoked: number }>(sql`
    WITH m AS (${match}),
    revoked AS (
      UPDATE api_keys
         SET is_active = false, revoked_at = COALESCE(revoked_at, now())
       WHERE id IN (SELECT id FROM m) AND (SELECT count(*) FROM m) = 1
      RETURNING id
    )
    SELECT (SELECT count(*) FROM m)::int AS matches, (SELECT count(*) FROM revoked)::int AS revoked`);
  const row = result.rows[0] as { matches: number; revoked: number } | undefined;
  if (!row || row.matches === 0) return "not_found";
  return row.revoked > 0 ? "revoked" : "ambiguous";
}
