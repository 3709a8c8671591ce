/** Rows each test owns (fresh organizations and ids), written with the app's own drizzle client. */
import { env } from "cloudflare:workers";
import { and, asc, eq, inArray } from "drizzle-orm";
import { getConfig } from "../../src/config";
import { getDb } from "../../src/db/client";
import {
  organizations,
  webhookDeliveries,
  webhookDeliveryAttempts,
  workflowDefinitions,
  workflowRuns,
  workflows,
} from "../../src/db/schema";

export const db = () => getDb(getConfig(env));

const createdOrganizations: number[] = [];

export async function createOrganization(name = `org-${crypto.randomUUID()}`): Promise<number> {
  const [row] = await db().insert(organizations).values({ name }).returning();
  if (!row) throw new Error("no organization row");
  createdOrganizations.push(row.id);
  return row.id;
}

/**
 * Parks what this file's tests left pending (retries scheduled minutes ahead, leases held), so
 * later files' sweeps do not re-drive it: each file's assertions see only its own deliveries.
 */
export async function settleLeftovers(): Promise<void> {
  if (createdOrganizations.length === 0) return;
  await db()
    .update(webhookDeliveries)
    .set({ status: "dead_letter", scheduled_for: null, last_error: "test finished" })
    .where(
      and(
        eq(webhookDeliveries.status, "pending"),
        inArray(webhookDeliveries.organization_id, createdOrganizations),
      ),
    );
}

/** A webhook node as the workflow builder writes it. */
export function webhookNode(id: string, data: Record<string, unknown>): Record<string, unknown> {
  return { id, type: "webhook", data: { name: `hook ${id}`, http_method: "POST", ...data } };
}

/** A workflow with one definition holding `nodes`; returns both ids. */
export async function createWorkflow(
  organizationId: number,
  nodes: unknown[],
): Promise<{ workflowId: number; definitionId: number }> {
  const [workflow] = await db()
    .insert(workflows)
    .values({ organization_id: organizationId, name: "call flow" })
    .returning();
  if (!workflow) throw new Error("no workflow row");
  const [definition] = await db()
    .insert(workflowDefinitions)
    .values({ workflow_id: workflow.id, workflow_json: { nodes } })
    .returning();
  if (!definition) throw new Error("no definition row");
  await db()
    .update(workflows)
    .set({ current_definition_id: definition.id })
    .where(eq(workflows.id, workflow.id));
  return { workflowId: workflow.id, definitionId: definition.id };
}

export async function createRun(
  workflowId: number,
  definitionId: number,
  fields: Partial<typeof workflowRuns.$inferInsert> = {},
): Promise<number> {
  const [run] = await db()
    .insert(workflowRuns)
    .values({ workflow_id: workflowId, definition_id: definitionId, name: "call 1", ...fields })
    .returning();
  if (!run) throw new Error("no run row");
  return run.id;
}

/** A pending delivery due now, inserted directly. */
export async function createDelivery(
  organizationId: number,
  fields: Partial<typeof webhookDeliveries.$inferInsert> & { endpoint_url: string },
) {
  const [row] = await db()
    .insert(webhookDeliveries)
    .values({
      delivery_uuid: crypto.randomUUID(),
      organization_id: organizationId,
      webhook_node_id: `node-${crypto.randomUUID()}`,
      payload: { hello: "world" },
      custom_headers: [],
      max_attempts: 5,
      scheduled_for: new Date(Date.now() - 1000),
      ...fields,
    })
    .returning();
  if (!row) throw new Error("no delivery row");
  return row;
}

export async function getDelivery(id: number) {
  const [row] = await db().select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id));
  if (!row) throw new Error(`delivery ${id} not found`);
  return row;
}

export async function getAttempts(deliveryId: number) {
  return db()
    .select()
    .from(webhookDeliveryAttempts)
    .where(eq(webhookDeliveryAttempts.delivery_id, deliveryId))
    .orderBy(asc(webhookDeliveryAttempts.attempt), asc(webhookDeliveryAttempts.id));
}

export async function runDeliveries(runId: number) {
  return db()
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.workflow_run_id, runId))
    .orderBy(asc(webhookDeliveries.id));
}
