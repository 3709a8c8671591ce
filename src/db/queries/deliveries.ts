/**
 * The delivery state machine's SQL. Each state change is one statement or one batch, and
 * every write that follows an attempt is guarded by the attempt number it claimed, so a late
 * result can never overwrite a newer attempt's.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { webhookDeliveries, webhookDeliveryAttempts } from "../schema";

/** A delivery as claimed for an attempt, with what the send needs resolved in the same trip. */
export interface ClaimedDelivery {
  id: number;
  delivery_uuid: string;
  workflow_run_id: number | null;
  organization_id: number;
  webhook_name: string | null;
  endpoint_url: string;
  http_method: string;
  payload: unknown;
  custom_headers: unknown;
  credential_uuid: string | null;
  /** The attempt this claim is for (1-based). */
  attempt_count: number;
  /** The lease end this claim set: it names the claim, so only its own outcome can be written. */
  lease_until: string;
  max_attempts: number;
  credential_type: string | null;
  credential_data: unknown;
  /** Encrypted signing secrets of the organization, newest first. */
  signing_secrets: unknown[];
}

/** How a delivery is named in a task: its serial id or its delivery_uuid. */
export type DeliveryRef = { id: number } | { uuid: string };

/**
 * The atomic claim (reference "Sending an attempt", step 1): a due pending delivery is leased
 * for `leaseSeconds` and its attempt counted, in one statement that also resolves the
 * credential (within the organization, active only) and the signing secrets.
 * No row: someone else holds it, or it is not pending, or not due.
 */
export async function claimDelivery(
  db: Db,
  id: number,
  leaseSeconds: number,
): Promise<ClaimedDelivery | null> {
  const result = await db.execute<ClaimedDelivery & Record<string, unknown>>(sql`
    WITH claimed AS (
      UPDATE webhook_deliveries AS d
         SET scheduled_for = now() + make_interval(secs => ${leaseSeconds}),
             attempt_count = d.attempt_count + 1,
             updated_at = now()
       WHERE d.id = ${id}
         AND d.status = 'pending'
         AND (d.scheduled_for IS NULL OR d.scheduled_for <= now())
      RETURNING d.*
    )
    SELECT c.id, c.delivery_uuid, c.workflow_run_id, c.organization_id, c.webhook_name,
           c.endpoint_url, c.http_method, c.payload, c.custom_headers, c.credential_uuid,
           c.attempt_count, c.max_attempts, c.scheduled_for AS lease_until,
           cred.credential_type, cred.credential_data,
           COALESCE((SELECT json_agg(s.secret ORDER BY s.created_at DESC, s.id DESC)
                       FROM signing_secrets s
                      WHERE s.organization_id = c.organization_id
                        AND (s.expires_at IS NULL OR s.expires_at > now())), '[]'::json) AS signing_secrets
      FROM claimed c
      LEFT JOIN external_credentials cred
        ON cred.credential_uuid = c.credential_uuid
       AND cred.organization_id = c.organization_id
       AND cred.is_active`);
  return (result.rows[0] as ClaimedDelivery | undefined) ?? null;
}

/** What one attempt produced, as recorded in the attempt log. */
export interface AttemptRecord {
  deliveryId: number;
  attempt: number;
  /** The claim's lease end (ClaimedDelivery.lease_until). */
  leaseUntil: string;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
}

export type RecordedOutcome =
  | { kind: "succeeded" }
  | { kind: "retry"; scheduledFor: Date }
  | { kind: "dead_letter" };

const MAX_ERROR_CHARS = 2000;

function cut(text: string | null): string | null {
  return text === null ? null : text.slice(0, MAX_ERROR_CHARS);
}

/**
 * Records an attempt's outcome and its attempt-log row in one batch (one round trip).
 * Returns false when the delivery was no longer this claim's: its lease ran out and a newer
 * claim (or a dead-letter retry, which restarts attempt numbers) owns it now.
 */
export async function recordAttempt(
  db: Db,
  record: AttemptRecord,
  outcome: RecordedOutcome,
): Promise<boolean> {
  const status = outcome.kind === "retry" ? "pending" : outcome.kind;
  const scheduledFor = outcome.kind === "retry" ? outcome.scheduledFor.toISOString() : null;
  const error = outcome.kind === "succeeded" ? null : cut(record.error);
  const [updated] = await db.batch([
    db.execute(sql`
      UPDATE webhook_deliveries
         SET status = ${status}, scheduled_for = ${scheduledFor},
             last_status_code = ${record.statusCode}, last_error = ${error}, updated_at = now()
       WHERE id = ${record.deliveryId} AND status = 'pending' AND attempt_count = ${record.attempt}
         AND scheduled_for = ${record.leaseUntil}::timestamptz
      RETURNING id`),
    db.insert(webhookDeliveryAttempts).values({
      delivery_id: record.deliveryId,
      attempt: record.attempt,
      started_at: record.startedAt,
      duration_ms: record.durationMs,
      status_code: record.statusCode,
      error: cut(record.error),
      outcome: outcome.kind,
    }),
  ]);
  return (updated as { rows: unknown[] }).rows.length > 0;
}

/** A freshly built delivery row for get-or-create. */
export type NewDelivery = typeof webhookDeliveries.$inferInsert;

/**
 * Get-or-create on (workflow_run_id, webhook_node_id) for many rows in one statement.
 * Returns only the rows this call created: only those may be enqueued.
 */
export async function insertRunDeliveries(
  db: Db,
  rows: NewDelivery[],
): Promise<{ id: number; webhook_node_id: string }[]> {
  if (rows.length === 0) return [];
  return db
    .insert(webhookDeliveries)
    .values(rows)
    .onConflictDoNothing({
      target: [webhookDeliveries.workflow_run_id, webhookDeliveries.webhook_node_id],
    })
    .returning({ id: webhookDeliveries.id, webhook_node_id: webhookDeliveries.webhook_node_id });
}

/**
 * A delivery's status and when it is due (epoch ms; null when not scheduled), or null when it
 * does not exist. Epoch numbers, not timestamp text: JavaScript only parses ISO DateStyle.
 */
export async function deliveryState(
  db: Db,
  id: number,
): Promise<{ status: string; due_ms: number | null } | null> {
  const result = await db.execute<{ status: string; due_ms: number | null }>(sql`
    SELECT status, (EXTRACT(EPOCH FROM scheduled_for) * 1000)::float8 AS due_ms
      FROM webhook_deliveries WHERE id = ${id}`);
  return result.rows[0] ?? null;
}

/** The serial id of a delivery named by its uuid, or null. */
export async function findDeliveryId(db: Db, uuid: string): Promise<number | null> {
  const result = await db.execute<{ id: number }>(
    sql`SELECT id FROM webhook_deliveries WHERE delivery_uuid = ${uuid}`,
  );
  return result.rows[0]?.id ?? null;
}

/** One page of overdue pending deliveries (keyset on id), for the sweep; `due_s` in epoch seconds. */
export async function overduePendingPage(
  db: Db,
  afterId: number,
  limit: number,
): Promise<{ id: number; due_s: number }[]> {
  const result = await db.execute<{ id: number; due_s: number }>(sql`
    SELECT id, COALESCE(floor(EXTRACT(EPOCH FROM scheduled_for)), 0)::float8 AS due_s
      FROM webhook_deliveries
     WHERE status = 'pending' AND (scheduled_for IS NULL OR scheduled_for <= now()) AND id > ${afterId}
     ORDER BY id
     LIMIT ${limit}`);
  return result.rows;
}
