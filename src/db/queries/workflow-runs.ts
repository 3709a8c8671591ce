/** Workflow runs, scoped to an organization through their workflow. */
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { isoTime } from "./iso-time";

/** The run fields a producer may set (the reference's render context reads them). */
export interface NewWorkflowRun {
  name: string | null;
  initial_context?: unknown;
  gathered_context?: unknown;
  annotations?: unknown;
  usage_info?: unknown;
  extra?: unknown;
  recording_url?: string | null;
  transcript_url?: string | null;
  user_recording_url?: string | null;
  bot_recording_url?: string | null;
}

function json(value: unknown) {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/**
 * Starts a run of one of the organization's workflows, pinning its current definition.
 * Null when the workflow does not exist in this organization.
 */
export async function insertWorkflowRun(
  db: Db,
  organizationId: number,
  workflowId: number,
  run: NewWorkflowRun,
): Promise<{ id: number; definition_id: number | null } | null> {
  const result = await db.execute<{ id: number; definition_id: number | null }>(sql`
    INSERT INTO workflow_runs
      (workflow_id, definition_id, name, initial_context, gathered_context, annotations,
       usage_info, extra, recording_url, transcript_url, user_recording_url, bot_recording_url)
    SELECT w.id, w.current_definition_id, ${run.name}::text,
           ${json(run.initial_context)}::json, ${json(run.gathered_context)}::json,
           ${json(run.annotations)}::json, ${json(run.usage_info)}::json,
           ${json(run.extra)}::json, ${run.recording_url ?? null}::text,
           ${run.transcript_url ?? null}::text, ${run.user_recording_url ?? null}::text,
           ${run.bot_recording_url ?? null}::text
      FROM workflows w
     WHERE w.id = ${workflowId} AND w.organization_id = ${organizationId}
    RETURNING id, definition_id`);
  return (result.rows[0] as { id: number; definition_id: number | null } | undefined) ?? null;
}

export interface WorkflowRunRow {
  id: number;
  workflow_id: number;
  definition_id: number | null;
  name: string | null;
  initial_context: unknown;
  gathered_context: unknown;
  annotations: unknown;
  usage_info: unknown;
  extra: unknown;
  recording_url: string | null;
  transcript_url: string | null;
  user_recording_url: string | null;
  bot_recording_url: string | null;
  created_at: string;
}

/** A run of one of the organization's workflows; null when there is none. */
export async function getWorkflowRun(
  db: Db,
  organizationId: number,
  runId: number,
): Promise<WorkflowRunRow | null> {
  const result = await db.execute<WorkflowRunRow & Record<string, unknown>>(sql`
    SELECT r.id, r.workflow_id, r.definition_id, r.name, r.initial_context, r.gathered_context,
           r.annotations, r.usage_info, r.extra, r.recording_url, r.transcript_url,
           r.user_recording_url, r.bot_recording_url, ${isoTime(sql`r.created_at`)} AS created_at
      FROM workflow_runs r
      JOIN workflows w ON w.id = r.workflow_id
     WHERE r.id = ${runId} AND w.organization_id = ${organizationId}`);
  return (result.rows[0] as WorkflowRunRow | undefined) ?? null;
}

/** True when the run exists and belongs to one of the organization's workflows. */
export async function workflowRunExists(
  db: Db,
  organizationId: number,
  runId: number,
): Promise<boolean> {
  const result = await db.execute(sql`
    SELECT 1 FROM workflow_runs r JOIN workflows w ON w.id = r.workflow_id
     WHERE r.id = ${runId} AND w.organization_id = ${organizationId}`);
  return result.rows.length > 0;
}
