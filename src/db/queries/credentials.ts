/**
 * External credentials, always scoped to an organization. `credential_data` is written only as
 * an encrypted blob and never read back here: the API returns metadata only.
 */
import { type SQL, sql } from "drizzle-orm";
import type { EncryptedBlob } from "../../delivery/encryption";
import type { Db } from "../client";
import { isoTime } from "./iso-time";

/** What the API shows of a credential (never its data). */
export interface CredentialMetadata {
  credential_uuid: string;
  name: string;
  credential_type: string;
  is_active: boolean;
  created_at: string;
  updated_at: string;
}

const METADATA = sql`credential_uuid, name, credential_type, is_active,
  ${isoTime(sql`created_at`)} AS created_at, ${isoTime(sql`updated_at`)} AS updated_at`;

async function rows(db: Db, query: SQL): Promise<CredentialMetadata[]> {
  const result = await db.execute<CredentialMetadata & Record<string, unknown>>(query);
  return result.rows as CredentialMetadata[];
}

export async function insertCredential(
  db: Db,
  organizationId: number,
  credential: { uuid: string; name: string; type: string; data: EncryptedBlob },
): Promise<CredentialMetadata> {
  const [row] = await rows(
    db,
    sql`
    INSERT INTO external_credentials
      (credential_uuid, organization_id, name, credential_type, credential_data)
    VALUES (${credential.uuid}, ${organizationId}, ${credential.name}, ${credential.type},
            ${JSON.stringify(credential.data)}::jsonb)
    RETURNING ${METADATA}`,
  );
  if (!row) throw new Error("credential insert returned no row");
  return row;
}

/** Every credential of the organization, active and inactive, oldest first. */
export async function listCredentials(
  db: Db,
  organizationId: number,
): Promise<CredentialMetadata[]> {
  return rows(
    db,
    sql`
    SELECT ${METADATA} FROM external_credentials
     WHERE organization_id = ${organizationId}
     ORDER BY id`,
  );
}

export async function getCredential(
  db: Db,
  organizationId: number,
  uuid: string,
): Promise<CredentialMetadata | null> {
  const [row] = await rows(
    db,
    sql`
    SELECT ${METADATA} FROM external_credentials
     WHERE organization_id = ${organizationId} AND credential_uuid = ${uuid}`,
  );
  return row ?? null;
}

/**
 * Replaces the data (and optionally name and type) of a credential, guarded by the type the
 * data was validated for, so a concurrent type change cannot pair data with the wrong type.
 * Null when no such credential (or its type changed meanwhile).
 */
export async function rotateCredential(
  db: Db,
  organizationId: number,
  uuid: string,
  update: { expectedType: string; type: string; name: string | null; data: EncryptedBlob },
): Promise<CredentialMetadata | null> {
  const [row] = await rows(
    db,
    sql`
    UPDATE external_credentials
       SET credential_data = ${JSON.stringify(update.data)}::jsonb,
           credential_type = ${update.type},
           name = COALESCE(${update.name}::text, name),
           updated_at = now()
     WHERE organization_id = ${organizationId} AND credential_uuid = ${uuid}
       AND credential_type = ${update.expectedType}
    RETURNING ${METADATA}`,
  );
  return row ?? null;
}

/** Deactivates a credential (deliveries then send without it). False when there is none. */
export async function deactivateCredential(
  db: Db,
  organizationId: number,
  uuid: string,
): Promise<boolean> {
  const result = await db.execute(sql`
    UPDATE external_credentials
       SET is_active = false,
           updated_at = CASE WHEN is_active THEN now() ELSE updated_at END
     WHERE organization_id = ${organizationId} AND credential_uuid = ${uuid}
    RETURNING id`);
  return result.rows.length > 0;
}
