-- Roll-back of migrations/0000_initial.sql: drops every table it created and the enum type.
-- Run with `npm run db:rollback` (which also removes the step from drizzle's journal table).
DROP TABLE IF EXISTS "webhook_delivery_attempts";
DROP TABLE IF EXISTS "webhook_deliveries";
DROP TABLE IF EXISTS "signing_secrets";
DROP TABLE IF EXISTS "external_credentials";
DROP TABLE IF EXISTS "workflow_runs";
DROP TABLE IF EXISTS "workflow_definitions";
DROP TABLE IF EXISTS "workflows";
DROP TABLE IF EXISTS "api_keys";
DROP TABLE IF EXISTS "queue_jobs";
DROP TABLE IF EXISTS "queue_rejections";
DROP TABLE IF EXISTS "organizations";
DROP TYPE IF EXISTS "public"."webhook_delivery_status";
