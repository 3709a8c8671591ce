/**
 * run_integrations_post_workflow_run(workflow_run_id[, organization_id]): turns a completed
 * run's webhook nodes into durable deliveries (reference "Creating a delivery"). Payloads are
 * rendered once here so every retry sends the same bytes.
 */
import type { Config } from "../../config";
import type { Db } from "../../db/client";
import { MAX_ROW_ID } from "../../db/ids";
import { insertRunDeliveries, type NewDelivery } from "../../db/queries/deliveries";
import { loadRunForIntegrations, type RunForIntegrations } from "../../db/queries/runs";
import {
  buildRenderContext,
  type RenderContext,
  renderWebhookPayload,
} from "../../delivery/render";
import { partitionCustomHeaders } from "../../delivery/secret-headers";
import { checkTargetUrl } from "../../delivery/target-url";
import { parseWebhookNode, webhookNodes } from "../../delivery/webhook-node";
import { log } from "../../log";
import { enqueueJobs } from "../enqueue";
import { TaskRejected } from "./errors";

export interface RunIntegrationsResult {
  created: number;
  existing: number;
  skipped: number;
  invalid: number;
}

/** Parses `[workflow_run_id, organization_id?]`. */
export function parseRunIntegrationsArgs(args: unknown[]): {
  runId: number;
  organizationId: number | null;
} {
  const [runId, organizationId] = args;
  if (!isId(runId))
    throw new TaskRejected(
      `args[0] workflow_run_id must be a positive integer, got ${JSON.stringify(runId)}`,
    );
  if (organizationId !== undefined && organizationId !== null && !isId(organizationId)) {
    throw new TaskRejected(
      `args[1] organization_id must be a positive integer when given, got ${JSON.stringify(organizationId)}`,
    );
  }
  return {
    runId: Number(runId),
    organizationId: organizationId == null ? null : Number(organizationId),
  };
}

function isId(value: unknown): boolean {
  const n = typeof value === "string" && /^\d{1,10}$/.test(value) ? Number(value) : value;
  return typeof n === "number" && Number.isInteger(n) && n > 0 && n <= MAX_ROW_ID;
}

/** Builds the delivery rows for a run's valid, enabled webhook nodes; logs and skips the rest. */
export function buildRunDeliveries(
  run: RunForIntegrations,
  config: Config,
  now: Date,
  newUuid: () => string = () => crypto.randomUUID(),
): { rows: NewDelivery[]; skipped: number; invalid: number } {
  const context: RenderContext = buildRenderContext(
    run,
    { id: run.workflow_id, name: run.workflow_name },
    now,
  );
  const rows: NewDelivery[] = [];
  let skipped = 0;
  let invalid = 0;
  for (const raw of webhookNodes(run.workflow_json)) {
    const parsed = parseWebhookNode(raw);
    if (parsed.ok === "skip") {
      skipped++;
      log("info", "run_integrations.node_skipped", {
        workflow_run_id: run.id,
        node_id: parsed.nodeId,
        reason: parsed.reason,
      });
      continue;
    }
    if (!parsed.ok) {
      invalid++;
      log("error", "run_integrations.node_config_error", {
        workflow_run_id: run.id,
        node_id: parsed.nodeId,
        error: parsed.error,
      });
      continue;
    }
    const node = parsed.node;
    const target = checkTargetUrl(node.endpoint_url, config.allowPrivateNetworks);
    if (!target.ok) {
      invalid++;
      log("error", "run_integrations.node_config_error", {
        workflow_run_id: run.id,
        node_id: node.id,
        error: target.error,
      });
      continue;
    }
    const headers = partitionCustomHeaders(node.custom_headers);
    logDroppedHeaders(run.id, node.id, headers.droppedReasons);
    rows.push({
      delivery_uuid: newUuid(),
      workflow_run_id: run.id,
      organization_id: run.organization_id,
      webhook_name: node.name,
      endpoint_url: node.endpoint_url,
      http_method: node.http_method,
      payload: renderWebhookPayload(node.payload_template, context, now),
      custom_headers: headers.kept,
      credential_uuid: node.credential_uuid,
      webhook_node_id: node.id,
      status: "pending",
      max_attempts: config.maxAttempts,
      // Due now: if the enqueue below is lost, the sweep still finds it.
      scheduled_for: now,
    });
  }
  return { rows, skipped, invalid };
}

/** Warns about dropped custom headers; secret-looking ones get the hint to use a credential. */
function logDroppedHeaders(
  runId: number,
  nodeId: string,
  dropped: { name: string; reason: string }[],
): void {
  const secret = dropped.filter((d) => d.reason === "secret").map((d) => d.name);
  const other = dropped.filter((d) => d.reason !== "secret");
  if (secret.length > 0) {
    log("warn", "run_integrations.secret_headers_dropped", {
      workflow_run_id: runId,
      node_id: nodeId,
      dropped: secret,
      hint: "put secrets in a credential (credential_uuid); they are never stored on the delivery",
    });
  }
  if (other.length > 0) {
    log("warn", "run_integrations.invalid_headers_dropped", {
      workflow_run_id: runId,
      node_id: nodeId,
      dropped: other,
    });
  }
}

/** Runs the task: get-or-create each delivery, enqueue only the fresh ones. */
export async function runIntegrations(
  db: Db,
  queue: Queue,
  config: Config,
  args: unknown[],
  now: Date = new Date(),
): Promise<RunIntegrationsResult> {
  const { runId, organizationId } = parseRunIntegrationsArgs(args);
  const run = await loadRunForIntegrations(db, runId);
  if (!run) throw new TaskRejected(`workflow run ${runId} does not exist`);
  if (organizationId !== null && run.organization_id !== organizationId) {
    throw new TaskRejected(
      `workflow run ${runId} belongs to another organization than ${organizationId}; refused`,
    );
  }
  if (run.definition_workflow_id !== null && run.definition_workflow_id !== run.workflow_id) {
    throw new TaskRejected(`workflow run ${runId} pins a definition of another workflow; refused`);
  }
  const { rows, skipped, invalid } = buildRunDeliveries(run, config, now);
  const created = await insertRunDeliveries(db, rows);
  await enqueueJobs(
    queue,
    created.map((row) => ({
      task: "deliver_webhook",
      args: [row.id],
      options: { jobId: `webhook-delivery-${row.id}-0` },
    })),
  );
  const result = {
    created: created.length,
    existing: rows.length - created.length,
    skipped,
    invalid,
  };
  log("info", "run_integrations.done", { workflow_run_id: runId, ...result });
  return result;
}
