/**
 * Standard Webhooks signing secrets per organization. The current secret is the newest one
 * without `expires_at`; a rotated one gets an `expires_at` and keeps signing until then (the
 * delivery path signs with every unexpired secret). Creation and rotation of one organization's
 * secrets are serialised with a transaction-scoped advisory lock, so two concurrent first reads
 * create one secret, not two.
 */
import { sql } from "drizzle-orm";
import type { EncryptedBlob } from "../../delivery/encryption";
import type { Db } from "../client";

/** First key of the advisory lock pair; the organization id is the second. */
const SIGNING_LOCK_NAMESPACE = 7_340_001;

/** How long a rotated-out secret keeps signing alongside the new one. */
export const ROTATION_OVERLAP_HOURS = 24;

function lockOrganization(db: Db, organizationId: number) {
  return db.execute(
    sql`SELECT pg_advisory_xact_lock(${SIGNING_LOCK_NAMESPACE}::int, ${organizationId}::int)`,
  );
}

/** The organization's current (non-expiring) secret blob, or null when it has none. */
export async function currentSigningSecret(
  db: Db,
  organizationId: number,
): Promise<unknown | null> {
  const result = await db.execute<{ secret: unknown }>(sql`
    SELECT secret FROM signing_secrets
     WHERE organization_id = ${organizationId} AND expires_at IS NULL
     ORDER BY created_at DESC, id DESC
     LIMIT 1`);
  return (result.rows[0] as { secret: unknown } | undefined)?.secret ?? null;
}

/**
 * Stores `blob` as the current secret unless the organization already has one; returns the
 * current secret's blob either way (one batch).
 */
export async function ensureSigningSecret(
  db: Db,
  organizationId: number,
  blob: EncryptedBlob,
): Promise<unknown> {
  const [, , current] = await db.batch([
    lockOrganization(db, organizationId),
    db.execute(sql`
      INSERT INTO signing_secrets (organization_id, secret)
      SELECT ${organizationId}::int, ${JSON.stringify(blob)}::jsonb
       WHERE NOT EXISTS (SELECT 1 FROM signing_secrets
                          WHERE organization_id = ${organizationId} AND expires_at IS NULL)`),
    db.execute(sql`
      SELECT secret FROM signing_secrets
       WHERE organization_id = ${organizationId} AND expires_at IS NULL
       ORDER BY created_at DESC, id DESC
       LIMIT 1`),
  ]);
  const row = current.rows[0];
  if (!row) throw new Error("signing secret insert returned no row");
  return row.secret;
}

/**
 * Rotation in one batch: the current secret(s) expire in ROTATION_OVERLAP_HOURS and `blob`
 * becomes the current one.
 */
export async function rotateSigningSecret(
  db: Db,
  organizationId: number,
  blob: EncryptedBlob,
): Promise<void> {
  await db.batch([
    lockOrganization(db, organizationId),
    db.execute(sql`
      UPDATE signing_secrets
         SET expires_at = now() + make_interval(hours => ${ROTATION_OVERLAP_HOURS})
       WHERE organization_id = ${organizationId} AND expires_at IS NULL`),
    db.execute(sql`
      INSERT INTO signing_secrets (organization_id, secret)
      VALUES (${organizationId}, ${JSON.stringify(blob)}::jsonb)`),
  ]);
}
