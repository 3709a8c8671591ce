import { sql } from "drizzle-orm";
import type { Db } from "../client";

/** A workflow run with what run_integrations needs: its workflow, organization and pinned definition. */
export interface RunForIntegrations {
  id: number;
  workflow_id: number;
  name: string | null;
  campaign_id: number | null;
  created_at: string | null;
  initial_context: unknown;
  gathered_context: unknown;
  annotations: unknown;
  usage_info: unknown;
  extra: unknown;
  recording_url: string | null;
  transcript_url: string | null;
  user_recording_url: string | null;
  bot_recording_url: string | null;
  workflow_name: string;
  organization_id: number;
  /** The definition's own workflow: it must be the run's (a definition is never shared). */
  definition_workflow_id: number | null;
  workflow_json: unknown;
}

/**
 * Loads a run, its workflow and organization and its pinned definition (the workflow's current
 * one when the run pinned none) in one round trip. Null when the run does not exist.
 */
export async function loadRunForIntegrations(
  db: Db,
  runId: number,
): Promise<RunForIntegrations | null> {
  const result = await db.execute<RunForIntegrations & Record<string, unknown>>(sql`
    SELECT r.id, r.workflow_id, r.name, r.campaign_id, r.created_at, r.initial_context,
           r.gathered_context, r.annotations, r.usage_info, r.extra, r.recording_url,
           r.transcript_url, r.user_recording_url, r.bot_recording_url,
           w.name AS workflow_name, w.organization_id,
           d.workflow_id AS definition_workflow_id, d.workflow_json
      FROM workflow_runs r
      JOIN workflows w ON w.id = r.workflow_id
      LEFT JOIN workflow_definitions d ON d.id = COALESCE(r.definition_id, w.current_definition_id)
     WHERE r.id = ${runId}`);
  return (result.rows[0] as RunForIntegrations | undefined) ?? null;
}
