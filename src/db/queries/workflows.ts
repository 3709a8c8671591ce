/** Workflows and their definitions, scoped to an organization. */
import { sql } from "drizzle-orm";
import type { Db } from "../client";

/**
 * Inserts a workflow with its first definition and points `current_definition_id` at it, in one
 * statement: both ids are taken from their sequences first, so neither insert needs the other's
 * RETURNING (sibling CTEs cannot see each other's rows).
 */
export async function insertWorkflow(
  db: Db,
  organizationId: number,
  workflow: { name: string; definition: unknown },
): Promise<{ id: number; definition_id: number }> {
  const result = await db.execute<{ id: number; definition_id: number }>(sql`
    WITH ids AS (
      SELECT nextval(pg_get_serial_sequence('workflows', 'id'))::int AS workflow_id,
             nextval(pg_get_serial_sequence('workflow_definitions', 'id'))::int AS definition_id
    ), w AS (
      INSERT INTO workflows (id, organization_id, name, current_definition_id)
      SELECT workflow_id, ${organizationId}::int, ${workflow.name}::text, definition_id FROM ids
      RETURNING id
    ), d AS (
      INSERT INTO workflow_definitions (id, workflow_id, workflow_json)
      SELECT definition_id, workflow_id, ${JSON.stringify(workflow.definition)}::json FROM ids
      RETURNING id
    )
    SELECT (SELECT id FROM w) AS id, (SELECT id FROM d) AS definition_id`);
  const row = result.rows[0] as { id: number; definition_id: number } | undefined;
  if (!row) throw new Error("workflow insert returned no row");
  return row;
}

export interface WorkflowWithDefinition {
  id: number;
  name: string;
  definition_id: number | null;
  definition: unknown;
}

/** A workflow of the organization with its current definition; null when there is none. */
export async function getWorkflow(
  db: Db,
  organizationId: number,
  workflowId: number,
): Promise<WorkflowWithDefinition | null> {
  const result = await db.execute<WorkflowWithDefinition & Record<string, unknown>>(sql`
    SELECT w.id, w.name, w.current_definition_id AS definition_id, d.workflow_json AS definition
      FROM workflows w
      LEFT JOIN workflow_definitions d ON d.id = w.current_definition_id
     WHERE w.id = ${workflowId} AND w.organization_id = ${organizationId}`);
  return (result.rows[0] as WorkflowWithDefinition | undefined) ?? null;
}
