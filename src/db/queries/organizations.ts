/** Organizations: created by an operator with their first API key and signing secret at once. */
import { sql } from "drizzle-orm";
import type { EncryptedBlob } from "../../delivery/encryption";
import type { Db } from "../client";
import { apiKeys, organizations, signingSecrets } from "../schema";
import { isoTime } from "./iso-time";

/** A fresh organization id, taken before the insert because the signing secret's encryption binds it. */
export async function nextOrganizationId(db: Db): Promise<number> {
  const result = await db.execute<{ id: number }>(
    sql`SELECT nextval(pg_get_serial_sequence('organizations', 'id'))::int AS id`,
  );
  const id = (result.rows[0] as { id: number } | undefined)?.id;
  if (id === undefined) throw new Error("nextval returned no organization id");
  return id;
}

export interface NewOrganization {
  id: number;
  name: string;
  apiKey: { name: string; keyPrefix: string; keyHash: string };
  signingSecret: EncryptedBlob;
}

/** Inserts the organization, its API key and its first signing secret in one batch (atomic). */
export async function insertOrganization(
  db: Db,
  org: NewOrganization,
): Promise<{ id: number; name: string; created_at: string }> {
  const [created] = await db.batch([
    db
      .insert(organizations)
      .values({ id: org.id, name: org.name })
      .returning({
        id: organizations.id,
        name: organizations.name,
        created_at: sql<string>`${isoTime(sql`${organizations.created_at}`)}`,
      }),
    db.insert(apiKeys).values({
      organization_id: org.id,
      name: org.apiKey.name,
      key_prefix: org.apiKey.keyPrefix,
      key_hash: org.apiKey.keyHash,
    }),
    db.insert(signingSecrets).values({ organization_id: org.id, secret: org.signingSecret }),
  ]);
  const row = created[0];
  if (!row) throw new Error("organization insert returned no row");
  return row;
}
