/**
 * The queue contract: every message ends acked, retried or kept with its reason; bad messages
 * never break their batch; deferrals past the queue's limit still run on time.
 */

import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { inArray, sql } from "drizzle-orm";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { claimJob, claimJobStatement } from "../../src/db/queries/jobs";
import { queueRejections } from "../../src/db/schema";
import { buildJob } from "../../src/queues/enqueue";
import { MAX_QUEUE_DELAY_SECONDS } from "../../src/queues/messages";
import worker from "../../src/worker";
import { clearFaults, injectFault } from "../helpers/endpoint";
import {
  createDelivery,
  createOrganization,
  createRun,
  createWorkflow,
  db,
  getDelivery,
  runDeliveries,
  settleLeftovers,
  webhookNode,
} from "../helpers/fixtures";
import { createReceiver } from "../helpers/receiver";

afterAll(settleLeftovers);

afterEach(async () => {
  vi.restoreAllMocks();
  await clearFaults();
});

async function consume(queue: string, bodies: unknown[]) {
  const messages = bodies.map((body) => ({
    id: crypto.randomUUID(),
    timestamp: new Date(),
    attempts: 1,
    body,
  }));
  const batch = createMessageBatch(queue, messages);
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return { ids: messages.map((m) => m.id), result: await getQueueResult(batch, ctx) };
}

async function rejectionsFor(ids: string[]) {
  return db().select().from(queueRejections).where(inArray(queueRejections.message_id, ids));
}

describe("the webhook-tasks consumer", () => {
  it("keeps malformed and unknown messages with their reason and still runs the rest of the batch", async () => {
    const errors = vi.spyOn(console, "error");
    const org = await createOrganization();
    const receiver = await createReceiver();
    const delivery = await createDelivery(org, { endpoint_url: receiver.url });
    const { ids, result } = await consume("webhook-tasks", [
      "not json at all",
      { task: "deliver_webhook", args: "not-an-array" },
      { task: "send_fax", args: [1] },
      { task: "deliver_webhook", args: [delivery.id] },
      { task: "constructor", args: [] },
    ]);
    expect(result.explicitAcks.sort()).toEqual([...ids].sort());
    expect(result.retryMessages).toEqual([]);
    expect((await receiver.requests()).length).toBe(1);
    expect((await getDelivery(delivery.id)).status).toBe("succeeded");

    const kept = await rejectionsFor(ids);
    const reasons = Object.fromEntries(kept.map((r) => [r.message_id, r.reason]));
    expect(reasons[ids[0] ?? ""]).toMatch(/message body must be an object/);
    expect(reasons[ids[1] ?? ""]).toMatch(/args must be an array/);
    expect(reasons[ids[2] ?? ""]).toMatch(/unknown task "send_fax"/);
    // A name that exists on every JavaScript object is still an unknown task.
    expect(reasons[ids[4] ?? ""]).toMatch(/unknown task "constructor"/);
    expect(kept.find((r) => r.message_id === ids[2])?.body).toBe(
      JSON.stringify({ task: "send_fax", args: [1] }),
    );
    const logged = errors.mock.calls.map((call) => String(call[0])).join("\n");
    expect(logged).toMatch(/queue.message_rejected.*unknown task/);
  });

  it("keeps a task whose arguments can never work instead of retrying it", async () => {
    const { ids, result } = await consume("webhook-tasks", [
      { task: "deliver_webhook", args: ["nope"] },
      { task: "deliver_webhook", args: [crypto.randomUUID()] },
      { task: "deliver_webhook", args: [2_000_000_000] },
      { task: "run_integrations_post_workflow_run", args: [2_000_000_000] },
    ]);
    expect(result.explicitAcks.sort()).toEqual([...ids].sort());
    const reasons = Object.fromEntries(
      (await rejectionsFor(ids)).map((r) => [r.message_id, r.reason]),
    );
    expect(reasons[ids[0] ?? ""]).toMatch(
      /delivery_id must be a positive integer id or a delivery uuid/,
    );
    expect(reasons[ids[1] ?? ""]).toMatch(/does not exist/);
    expect(reasons[ids[2] ?? ""]).toMatch(/delivery 2000000000 does not exist/);
    expect(reasons[ids[3] ?? ""]).toMatch(/workflow run 2000000000 does not exist/);
  });

  it("accepts a job sent as JSON text", async () => {
    const org = await createOrganization();
    const receiver = await createReceiver();
    const delivery = await createDelivery(org, { endpoint_url: receiver.url });
    const { ids, result } = await consume("webhook-tasks", [
      JSON.stringify({ task: "deliver_webhook", args: [delivery.id] }),
    ]);
    expect(result.explicitAcks).toEqual(ids);
    expect(await receiver.requests()).toHaveLength(1);
  });

  it("retries a message whose task failed unexpectedly", async () => {
    const org = await createOrganization();
    const receiver = await createReceiver();
    const delivery = await createDelivery(org, { endpoint_url: receiver.url });
    await injectFault({ match: "WITH claimed AS", params: [String(delivery.id)] });
    const { ids, result } = await consume("webhook-tasks", [
      { task: "deliver_webhook", args: [delivery.id] },
    ]);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toEqual([{ msgId: ids[0] }]);
    expect(await receiver.requests()).toEqual([]);
  });

  it("records what reaches the dead-letter queue", async () => {
    const body = { task: "run_integrations_post_workflow_run", args: [1] };
    const { ids, result } = await consume("webhook-tasks-dlq", [body]);
    expect(result.explicitAcks).toEqual(ids);
    const [kept] = await rejectionsFor(ids);
    expect(kept).toMatchObject({ queue: "webhook-tasks-dlq", body: JSON.stringify(body) });
    expect(kept?.reason).toMatch(/exhausted the queue's retries/);
  });
});

describe("deferral", () => {
  it("sends a deferral beyond the queue's limit at the limit, marked with when it is due", () => {
    const now = Date.UTC(2026, 11, 3);
    const { body, delaySeconds } = buildJob(
      "deliver_webhook",
      [1],
      { deferBySeconds: 100_000 },
      now,
    );
    expect(delaySeconds).toBe(MAX_QUEUE_DELAY_SECONDS);
    expect(body).toEqual({ task: "deliver_webhook", args: [1], not_before: now + 100_000_000 });
    expect(buildJob("deliver_webhook", [1], { deferBySeconds: 90, jobId: "j" }, now)).toEqual({
      body: { task: "deliver_webhook", args: [1], job_id: "j" },
      delaySeconds: 90,
    });
  });

  it("re-defers an early message for the rest of its delay and runs it once due", async () => {
    const send = vi.spyOn(env.WEBHOOK_TASKS, "send").mockResolvedValue(undefined as never);
    const org = await createOrganization();
    const receiver = await createReceiver();
    const delivery = await createDelivery(org, { endpoint_url: receiver.url });
    const early = {
      task: "deliver_webhook",
      args: [delivery.id],
      not_before: Date.now() + 50_000_000,
    };
    const first = await consume("webhook-tasks", [early]);
    expect(first.result.explicitAcks).toEqual(first.ids);
    expect(send).toHaveBeenCalledWith(early, {
      contentType: "json",
      delaySeconds: MAX_QUEUE_DELAY_SECONDS,
    });
    expect(await receiver.requests()).toEqual([]);

    const due = { ...early, not_before: Date.now() - 1000 };
    await consume("webhook-tasks", [due]);
    expect(await receiver.requests()).toHaveLength(1);
  });
});

describe("the job ledger", () => {
  const run = (jobId: string, runId: number) =>
    consume("webhook-tasks", [
      { task: "run_integrations_post_workflow_run", args: [runId], job_id: jobId },
    ]);

  async function oneNodeRun() {
    const org = await createOrganization();
    const receiver = await createReceiver();
    const { workflowId, definitionId } = await createWorkflow(org, [
      webhookNode("n", { endpoint_url: receiver.url, payload_template: {} }),
    ]);
    return createRun(workflowId, definitionId);
  }

  it("brings a duplicate back later while another message is still running the job", async () => {
    const jobId = `job-${crypto.randomUUID()}`;
    await db().execute(
      sql`INSERT INTO queue_jobs (job_id, task, state, lease_until)
          VALUES (${jobId}, 'run_integrations_post_workflow_run', 'running', now() + interval '60 seconds')`,
    );
    const { ids, result } = await run(jobId, await oneNodeRun());
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toEqual([{ msgId: ids[0] }]);
  });

  it("takes over a job whose runner died without finishing it", async () => {
    const jobId = `job-${crypto.randomUUID()}`;
    const runId = await oneNodeRun();
    await db().execute(
      sql`INSERT INTO queue_jobs (job_id, task, state, lease_until)
          VALUES (${jobId}, 'run_integrations_post_workflow_run', 'running', now() - interval '1 second')`,
    );
    const { ids, result } = await run(jobId, runId);
    expect(result.explicitAcks).toEqual(ids);
    expect(await runDeliveries(runId)).toHaveLength(1);
    const ledger = await db().execute<{ runs: number; state: string }>(
      sql`SELECT runs, state FROM queue_jobs WHERE job_id = ${jobId}`,
    );
    expect(ledger.rows).toEqual([{ runs: 2, state: "done" }]);
  });

  it("lets exactly one of many concurrent claims of a job id run it", async () => {
    const jobId = `job-${crypto.randomUUID()}`;
    const claims = await Promise.all(
      Array.from({ length: 12 }, () => claimJob(db(), jobId, "run_integrations_post_workflow_run")),
    );
    expect(claims.filter((c) => c.kind === "run")).toHaveLength(1);
    expect(claims.filter((c) => c.kind === "running")).toHaveLength(11);
  });

  it("does not run a job whose first claim commits while a second is reading", async () => {
    // The first claim's transaction stays open for a moment; the second claim starts meanwhile,
    // so on PostgreSQL its snapshot cannot see the first row and its upsert waits for it.
    const jobId = `job-${crypto.randomUUID()}`;
    const task = "run_integrations_post_workflow_run";
    const first = db().batch([
      db().execute(claimJobStatement(jobId, task)),
      db().execute(sql`SELECT pg_sleep(0.4)`),
    ]);
    await new Promise((r) => setTimeout(r, 100));
    const second = await claimJob(db(), jobId, task);
    const [claimed] = await first;
    expect(claimed.rows[0]?.claimed).toBe(true);
    expect(second.kind).toBe("running");
  });
});
