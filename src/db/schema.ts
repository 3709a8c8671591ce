/**
 * The Postgres schema.
 *
 * Payloads, headers, definitions and run contexts are `json`, not `jsonb`, as in the reference:
 * `json` keeps the text as given (key order included), so a receiver gets the payload exactly as
 * the producer wrote it and `{{ gathered_context }}` renders its keys in their original order. Table and column names are the reference system's
 * (shared/reference/REFERENCE.md), so a database of the reference can be pointed at
 * this service; the README explains each table and column added beyond it.
 */
import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  index,
  integer,
  json,
  jsonb,
  pgEnum,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true }).notNull().defaultNow();

export const organizations = pgTable("organizations", {
  id: serial("id").primaryKey(),
  name: text("name").notNull(),
  created_at: createdAt(),
});

/** API keys are stored as SHA-256 hashes; `key_prefix` is what a person sees to tell keys apart. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: serial("id").primaryKey(),
    organization_id: integer("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull().default("default"),
    key_prefix: varchar("key_prefix", { length: 16 }).notNull(),
    key_hash: varchar("key_hash", { length: 64 }).notNull(),
    is_active: boolean("is_active").notNull().default(true),
    created_at: createdAt(),
    last_used_at: timestamp("last_used_at", { withTimezone: true }),
    revoked_at: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("api_keys_key_hash_key").on(t.key_hash),
    index("ix_api_keys_organization_id").on(t.organization_id),
  ],
);

export const workflows = pgTable(
  "workflows",
  {
    id: serial("id").primaryKey(),
    organization_id: integer("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** The definition new runs pin; NULL until the first definition exists. */
    current_definition_id: integer("current_definition_id"),
    created_at: createdAt(),
  },
  (t) => [index("ix_workflows_organization_id").on(t.organization_id)],
);

export const workflowDefinitions = pgTable(
  "workflow_definitions",
  {
    id: serial("id").primaryKey(),
    workflow_id: integer("workflow_id")
      .notNull()
      .references(() => workflows.id, { onDelete: "cascade" }),
    workflow_json: json("workflow_json").notNull(),
    created_at: createdAt(),
  },
  (t) => [index("ix_workflow_definitions_workflow_id").on(t.workflow_id)],
);

export const workflowRuns = pgTable(
  "workflow_runs",
  {
    id: serial("id").primaryKey(),
    workflow_id: integer("workflow_id")
      .notNull()
      .references(() => workflows.id, { onDelete: "cascade" }),
    /** The definition pinned when the run started; the webhook nodes come from it. */
    definition_id: integer("definition_id").references(() => workflowDefinitions.id, {
      onDelete: "set null",
    }),
    name: text("name"),
    campaign_id: integer("campaign_id"),
    initial_context: json("initial_context"),
    gathered_context: json("gathered_context"),
    annotations: json("annotations"),
    usage_info: json("usage_info"),
    extra: json("extra"),
    recording_url: text("recording_url"),
    transcript_url: text("transcript_url"),
    user_recording_url: text("user_recording_url"),
    bot_recording_url: text("bot_recording_url"),
    created_at: createdAt(),
  },
  (t) => [index("ix_workflow_runs_workflow_id").on(t.workflow_id)],
);

/** `credential_data` holds an AES-GCM blob ({v, alg, iv, ct}); plaintext rows of the reference still read. */
export const externalCredentials = pgTable(
  "external_credentials",
  {
    id: serial("id").primaryKey(),
    credential_uuid: varchar("credential_uuid", { length: 36 }).notNull(),
    organization_id: integer("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    credential_type: varchar("credential_type", { length: 32 }).notNull(),
    credential_data: jsonb("credential_data").notNull(),
    is_active: boolean("is_active").notNull().default(true),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [
    uniqueIndex("external_credentials_credential_uuid_key").on(t.credential_uuid),
    index("ix_external_credentials_organization_id").on(t.organization_id),
  ],
);

export const webhookDeliveryStatus = pgEnum("webhook_delivery_status", [
  "pending",
  "succeeded",
  "dead_letter",
]);

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: serial("id").primaryKey(),
    delivery_uuid: varchar("delivery_uuid", { length: 36 }).notNull(),
    /** NULL for deliveries created directly through POST /v1/deliveries. */
    workflow_run_id: integer("workflow_run_id").references(() => workflowRuns.id, {
      onDelete: "cascade",
    }),
    organization_id: integer("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    webhook_name: text("webhook_name"),
    endpoint_url: text("endpoint_url").notNull(),
    http_method: varchar("http_method", { length: 10 }).notNull().default("POST"),
    payload: json("payload"),
    custom_headers: json("custom_headers"),
    credential_uuid: varchar("credential_uuid", { length: 36 }),
    webhook_node_id: text("webhook_node_id").notNull(),
    status: webhookDeliveryStatus("status").notNull().default("pending"),
    attempt_count: integer("attempt_count").notNull().default(0),
    max_attempts: integer("max_attempts").notNull().default(5),
    scheduled_for: timestamp("scheduled_for", { withTimezone: true }),
    last_status_code: integer("last_status_code"),
    last_error: text("last_error"),
    /** Organization-scoped idempotency key of a directly created delivery. */
    idempotency_key: text("idempotency_key"),
    created_at: createdAt(),
    updated_at: updatedAt(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_delivery_uuid_key").on(t.delivery_uuid),
    uniqueIndex("uq_webhook_deliveries_run_node").on(t.workflow_run_id, t.webhook_node_id),
    uniqueIndex("uq_webhook_deliveries_org_idempotency_key").on(
      t.organization_id,
      t.idempotency_key,
    ),
    index("ix_webhook_deliveries_workflow_run_id").on(t.workflow_run_id),
    index("ix_webhook_deliveries_pending_scheduled_for")
      .on(t.scheduled_for)
      .where(sql`status = 'pending'`),
    /** Keyset pagination of GET /v1/deliveries (newest first, per organization). */
    index("ix_webhook_deliveries_org_id_desc").on(t.organization_id, t.id.desc()),
  ],
);

/** One row per attempt: the history a dead letter keeps. */
export const webhookDeliveryAttempts = pgTable(
  "webhook_delivery_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    delivery_id: integer("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    started_at: timestamp("started_at", { withTimezone: true }).notNull(),
    duration_ms: integer("duration_ms").notNull(),
    status_code: integer("status_code"),
    error: text("error"),
    /** "succeeded" | "retry" | "dead_letter" */
    outcome: varchar("outcome", { length: 16 }).notNull(),
    created_at: createdAt(),
  },
  (t) => [index("ix_webhook_delivery_attempts_delivery_id").on(t.delivery_id, t.attempt)],
);

/** Standard Webhooks signing secrets, encrypted like credentials; a rotated one expires later. */
export const signingSecrets = pgTable(
  "signing_secrets",
  {
    id: serial("id").primaryKey(),
    organization_id: integer("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    secret: jsonb("secret").notNull(),
    created_at: createdAt(),
    expires_at: timestamp("expires_at", { withTimezone: true }),
  },
  (t) => [index("ix_signing_secrets_organization_id").on(t.organization_id)],
);

/** The job ledger that makes two messages with one job_id run their task once. */
export const queueJobs = pgTable("queue_jobs", {
  job_id: text("job_id").primaryKey(),
  task: text("task").notNull(),
  state: varchar("state", { length: 16 }).notNull(),
  runs: integer("runs").notNull().default(1),
  lease_until: timestamp("lease_until", { withTimezone: true }),
  last_error: text("last_error"),
  created_at: createdAt(),
  updated_at: updatedAt(),
});

/** Messages that could not be run (malformed, unknown task, or exhausted queue retries), kept for operators. */
export const queueRejections = pgTable(
  "queue_rejections",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    queue: text("queue").notNull(),
    message_id: text("message_id").notNull(),
    reason: text("reason").notNull(),
    body: text("body").notNull(),
    attempts: integer("attempts").notNull().default(1),
    created_at: createdAt(),
  },
  (t) => [uniqueIndex("uq_queue_rejections_queue_message").on(t.queue, t.message_id)],
);
