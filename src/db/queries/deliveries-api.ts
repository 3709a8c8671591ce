/**
 * The SQL behind /v1/deliveries: direct creation with an organization-scoped idempotency key,
 * reads shaped as the API's delivery object, keyset pages, and the dead-letter retry. Every
 * read and write is scoped to the caller's organization.
 */
import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../client";
import { isoTime } from "./iso-time";

/** A delivery as the API shows it, plus `row_id` (the serial id, for enqueueing and cursors). */
export interface DeliveryRecord {
  row_id: number;
  id: string;
  status: "pending" | "succeeded" | "dead_letter";
  attempt_count: number;
  max_attempts: number;
  endpoint_url: string;
  http_method: string;
  webhook_name: string | null;
  workflow_run_id: number | null;
  webhook_node_id: string;
  scheduled_for: string | null;
  last_status_code: number | null;
  last_error: string | null;
  idempotency_key: string | null;
  created_at: string;
  updated_at: string;
}

export interface AttemptRecord {
  attempt: number;
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  outcome: "succeeded" | "retry" | "dead_letter";
}

/** The API columns of a delivery aliased `d`; `scheduled_for` only while pending. */
const COLUMNS = sql`d.id AS row_id, d.delivery_uuid AS id, d.status::text AS status,
  d.attempt_count, d.max_attempts, d.endpoint_url, d.http_method, d.webhook_name,
  d.workflow_run_id, d.webhook_node_id,
  CASE WHEN d.status = 'pending' THEN ${isoTime(sql`d.scheduled_for`)} END AS scheduled_for,
  d.last_status_code, d.last_error, d.idempotency_key,
  ${isoTime(sql`d.created_at`)} AS created_at, ${isoTime(sql`d.updated_at`)} AS updated_at`;

async function deliveries(db: Db, query: SQL): Promise<DeliveryRecord[]> {
  const result = await db.execute<DeliveryRecord & Record<string, unknown>>(query);
  return result.rows as DeliveryRecord[];
}

export interface NewApiDelivery {
  deliveryUuid: string;
  organizationId: number;
  endpointUrl: string;
  httpMethod: string;
  webhookName: string | null;
  /** JSON text, or null for no payload. */
  payloadJson: string | null;
  customHeaders: { key: string; value: string }[];
  credentialUuid: string | null;
  maxAttempts: number;
  idempotencyKey: string | null;
}

export type CreateResult =
  | { kind: "created"; delivery: DeliveryRecord }
  | { kind: "existing"; delivery: DeliveryRecord }
  | { kind: "credential_refused" }
  /** Lost a race with a concurrent insert of the same key: read it with findByIdempotencyKey. */
  | { kind: "conflict" };

/**
 * Creates a pending delivery due now, in one statement that also checks the credential (active,
 * same organization) and, when the idempotency key was used before, returns that delivery
 * instead (ON CONFLICT DO NOTHING on uq_webhook_deliveries_org_idempotency_key).
 */
export async function createApiDelivery(db: Db, d: NewApiDelivery): Promise<CreateResult> {
  const org = sql`${d.organizationId}::int`;
  const credential = sql`${d.credentialUuid}::text`;
  const key = sql`${d.idempotencyKey}::text`;
  const result = await db.execute(sql`
    WITH cred AS (
      SELECT (${credential} IS NULL OR EXISTS (
        SELECT 1 FROM external_credentials c
         WHERE c.credential_uuid = ${credential} AND c.organization_id = ${org} AND c.is_active
      )) AS ok
    ), ins AS (
      INSERT INTO webhook_deliveries
        (delivery_uuid, workflow_run_id, organization_id, webhook_name, endpoint_url,
         http_method, payload, custom_headers, credential_uuid, webhook_node_id, status,
         max_attempts, scheduled_for, idempotency_key)
      SELECT ${d.deliveryUuid}::text, NULL::int, ${org}, ${d.webhookName}::text,
             ${d.endpointUrl}::text, ${d.httpMethod}::text, ${d.payloadJson}::json,
             ${JSON.stringify(d.customHeaders)}::json, ${credential}, 'api'::text,
             'pending'::webhook_delivery_status, ${d.maxAttempts}::int, now(), ${key}
        FROM cred WHERE cred.ok
      ON CONFLICT (organization_id, idempotency_key) DO NOTHING
      RETURNING *
    )
    SELECT cred.ok AS credential_ok, x.*
      FROM cred LEFT JOIN (
        SELECT true AS created, ${COLUMNS} FROM ins d
        UNION ALL
        SELECT false AS created, ${COLUMNS} FROM webhook_deliveries d
         WHERE ${key} IS NOT NULL AND d.organization_id = ${org} AND d.idempotency_key = ${key}
      ) x ON true`);
  const row = result.rows[0] as
    | (DeliveryRecord & { credential_ok: boolean; created: boolean | null })
    | undefined;
  if (!row) throw new Error("delivery insert returned no row");
  const { credential_ok, created, ...delivery } = row;
  if (created === true) return { kind: "created", delivery };
  if (created === false) return { kind: "existing", delivery };
  return credential_ok ? { kind: "conflict" } : { kind: "credential_refused" };
}

/** The organization's delivery with this idempotency key, if any. */
export async function findByIdempotencyKey(
  db: Db,
  organizationId: number,
  idempotencyKey: string,
): Promise<DeliveryRecord | null> {
  const [row] = await deliveries(
    db,
    sql`SELECT ${COLUMNS} FROM webhook_deliveries d
         WHERE d.organization_id = ${organizationId} AND d.idempotency_key = ${idempotencyKey}`,
  );
  return row ?? null;
}

/**
 * A delivery by its delivery_uuid with its attempt log, in one round trip. The log is in row
 * order (chronological): after a retry, attempt numbers start at 1 again, so `attempt` alone
 * does not order it.
 */
export async function getDeliveryWithAttempts(
  db: Db,
  organizationId: number,
  deliveryUuid: string,
): Promise<(DeliveryRecord & { attempts: AttemptRecord[] }) | null> {
  const result = await db.execute(sql`
    SELECT ${COLUMNS},
           COALESCE((
             SELECT json_agg(json_build_object(
                      'attempt', a.attempt, 'started_at', ${isoTime(sql`a.started_at`)},
                      'duration_ms', a.duration_ms, 'status_code', a.status_code,
                      'error', a.error, 'outcome', a.outcome) ORDER BY a.id)
               FROM webhook_delivery_attempts a WHERE a.delivery_id = d.id
           ), '[]'::json) AS attempts
      FROM webhook_deliveries d
     WHERE d.delivery_uuid = ${deliveryUuid} AND d.organization_id = ${organizationId}`);
  return (result.rows[0] as (DeliveryRecord & { attempts: AttemptRecord[] }) | undefined) ?? null;
}

export interface DeliveryFilter {
  status?: string;
  workflowRunId?: number;
  /** Only deliveries with a serial id below this (keyset pagination, newest first). */
  beforeRowId?: number;
  limit: number;
}

/** One page of the organization's deliveries, newest first. */
export async function listDeliveries(
  db: Db,
  organizationId: number,
  filter: DeliveryFilter,
): Promise<DeliveryRecord[]> {
  const conditions = [sql`d.organization_id = ${organizationId}`];
  if (filter.status) conditions.push(sql`d.status = ${filter.status}::webhook_delivery_status`);
  if (filter.workflowRunId !== undefined) {
    conditions.push(sql`d.workflow_run_id = ${filter.workflowRunId}`);
  }
  if (filter.beforeRowId !== undefined) conditions.push(sql`d.id < ${filter.beforeRowId}`);
  return deliveries(
    db,
    sql`SELECT ${COLUMNS} FROM webhook_deliveries d
         WHERE ${sql.join(conditions, sql` AND `)}
         ORDER BY d.id DESC
         LIMIT ${filter.limit}`,
  );
}

export type RetryResult =
  | { kind: "retried"; delivery: DeliveryRecord }
  | { kind: "not_found" }
  | { kind: "conflict"; status: string };

/**
 * Puts a dead letter back to pending, due now, with a fresh attempt budget: attempt_count goes
 * back to 0, so attempts are numbered 1, 2, ... again (the receiver sees
 * `X-Dograh-Delivery-Attempt: 1`), the backoff restarts from the base delay, and max_attempts
 * is kept (it stays within 1-20). last_status_code and last_error are kept too, so the reason
 * it was dead-lettered stays visible until the next attempt records its own. The attempt log
 * keeps every earlier row (read in id order, so the history stays chronological).
 * One conditional UPDATE: a concurrent retry, or a delivery that is not a dead letter, finds
 * no row to update and answers "conflict"; the sibling read tells that from "not_found".
 */
export async function retryDeadLetter(
  db: Db,
  organizationId: number,
  deliveryUuid: string,
): Promise<RetryResult> {
  const result = await db.execute(sql`
    WITH retried AS (
      UPDATE webhook_deliveries d
         SET status = 'pending', attempt_count = 0, scheduled_for = now(), updated_at = now()
       WHERE d.delivery_uuid = ${deliveryUuid} AND d.organization_id = ${organizationId}
         AND d.status = 'dead_letter'
      RETURNING d.*
    ), target AS (
      SELECT t.status FROM webhook_deliveries t
       WHERE t.delivery_uuid = ${deliveryUuid} AND t.organization_id = ${organizationId}
    )
    SELECT target.status::text AS previous_status, x.*
      FROM target LEFT JOIN (SELECT ${COLUMNS} FROM retried d) x ON true`);
  const row = result.rows[0] as
    | (DeliveryRecord & { previous_status: string; row_id: number | null })
    | undefined;
  if (!row) return { kind: "not_found" };
  const { previous_status, ...delivery } = row;
  if (delivery.row_id === null) return { kind: "conflict", status: previous_status };
  return { kind: "retried", delivery };
}
