/**
 * Database round trips on the delivery path, counted at the SQL endpoint (one HTTP request to
 * Neon is one round trip). Each measurement uses its own connection string, so only its own
 * requests are counted. These numbers are the budget the benchmarks report too.
 */
import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import { getConfig } from "../../src/config";
import { getDb } from "../../src/db/client";
import { claimDelivery } from "../../src/db/queries/deliveries";
import { claimJob, finishJob } from "../../src/db/queries/jobs";
import { runAttempt } from "../../src/durable/attempt";
import { runIntegrations } from "../../src/queues/tasks/run-integrations";
import { sqlRequests } from "../helpers/endpoint";
import {
  createDelivery,
  createOrganization,
  createRun,
  createWorkflow,
  settleLeftovers,
  webhookNode,
} from "../helpers/fixtures";
import { createReceiver } from "../helpers/receiver";

afterAll(settleLeftovers);

function countedDb() {
  const config = getConfig(env);
  const user = `count-${crypto.randomUUID()}`;
  const databaseUrl = `postgres://${user}:x@localhost:5432/local`;
  return { config, db: getDb({ ...config, databaseUrl }), databaseUrl: user };
}

describe("round trips", () => {
  it("spends two per delivery attempt: the claim (with credential and signing keys) and the outcome", async () => {
    const org = await createOrganization();
    const receiver = await createReceiver([{ status: 503 }]);
    const delivery = await createDelivery(org, { endpoint_url: receiver.url });
    const { config, db, databaseUrl } = countedDb();
    const claimed = await claimDelivery(db, delivery.id, config.leaseSeconds);
    if (!claimed) throw new Error("claim failed");
    const report = await runAttempt({ env, config, db, delivery: claimed });
    expect(report.kind).toBe("retry_scheduled");
    expect(await sqlRequests(databaseUrl)).toBe(2);
  });

  it("spends two per run_integrations call, plus two for a job id's ledger", async () => {
    const org = await createOrganization();
    const receiver = await createReceiver();
    const nodes = [1, 2, 3].map((n) =>
      webhookNode(`n${n}`, { endpoint_url: receiver.url, payload_template: { n } }),
    );
    const { workflowId, definitionId } = await createWorkflow(org, nodes);
    const runId = await createRun(workflowId, definitionId);
    const { config, db, databaseUrl } = countedDb();
    const result = await runIntegrations(db, env.WEBHOOK_TASKS, config, [runId]);
    expect(result.created).toBe(3);
    expect(await sqlRequests(databaseUrl)).toBe(2);

    const jobId = `job-${crypto.randomUUID()}`;
    await claimJob(db, jobId, "run_integrations_post_workflow_run");
    await finishJob(db, jobId, "done");
    expect(await sqlRequests(databaseUrl)).toBe(4);
    await receiver.waitFor(3);
  });
});
