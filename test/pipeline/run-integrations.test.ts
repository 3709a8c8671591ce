/**
 * run_integrations_post_workflow_run, end to end: a completed run's webhook nodes become durable
 * deliveries, rendered once, sent through the queue and the delivery's Durable Object.
 */

import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { queueRejections } from "../../src/db/schema";
import { enqueueJob } from "../../src/queues/enqueue";
import worker from "../../src/worker";
import {
  createOrganization,
  createRun,
  createWorkflow,
  db,
  runDeliveries,
  settleLeftovers,
  webhookNode,
} from "../helpers/fixtures";
import { createReceiver } from "../helpers/receiver";
import { waitUntil } from "../helpers/wait";

afterAll(settleLeftovers);

async function runTask(args: unknown[], jobId?: string) {
  const id = crypto.randomUUID();
  const batch = createMessageBatch("webhook-tasks", [
    {
      id,
      timestamp: new Date(),
      attempts: 1,
      body: { task: "run_integrations_post_workflow_run", args, job_id: jobId },
    },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return { id, result: await getQueueResult(batch, ctx) };
}

async function setup(receiverUrl: string) {
  const org = await createOrganization();
  const nodes = [
    webhookNode("crm", {
      endpoint_url: receiverUrl,
      custom_headers: [
        { key: "Authorization", value: "Bearer leaked" },
        { key: "X-Custom-Auth-Token", value: "also-leaked" },
        { key: "X-Idempotency-Key", value: "keep-me" },
      ],
      payload_template: {
        event: "call_ended",
        run: "{{workflow_run_id}}",
        caller: "{{ gathered_context.name | unknown caller }}",
        recording: "{{recording_url}}",
        missing: "{{gathered_context.nothing}}",
      },
    }),
    webhookNode("off", { endpoint_url: receiverUrl, enabled: false, payload_template: {} }),
    webhookNode("broken", {
      endpoint_url: receiverUrl,
      http_method: "FETCH",
      payload_template: {},
    }),
    webhookNode("no-url", { endpoint_url: "", payload_template: {} }),
    { id: "start", type: "startCall", data: {} },
  ];
  const { workflowId, definitionId } = await createWorkflow(org, nodes);
  const runId = await createRun(workflowId, definitionId, {
    gathered_context: { name: "Ada", call_disposition: "completed" },
    recording_url: "https://recordings.example.com/r/1.wav",
  });
  return { org, runId };
}

describe("run_integrations_post_workflow_run", () => {
  it("persists a delivery per enabled valid webhook node and sends it through the queue", async () => {
    const receiver = await createReceiver();
    const { runId } = await setup(receiver.url);
    await enqueueJob(env.WEBHOOK_TASKS, "run_integrations_post_workflow_run", [runId]);

    const [request] = await receiver.waitFor(1);
    const rows = await runDeliveries(runId);
    expect(rows.map((r) => r.webhook_node_id)).toEqual(["crm"]);
    const row = rows[0];
    expect(JSON.parse(request?.body ?? "")).toEqual({
      event: "call_ended",
      run: String(runId),
      caller: "Ada",
      recording: "https://recordings.example.com/r/1.wav",
      missing: "",
      call_disposition: "completed",
    });
    expect(request?.headers).toMatchObject({
      "content-type": "application/json",
      "x-idempotency-key": "keep-me",
      "x-dograh-delivery-id": row?.delivery_uuid,
      "x-dograh-workflow-run-id": String(runId),
      "x-dograh-delivery-attempt": "1",
    });
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.headers["x-custom-auth-token"]).toBeUndefined();
    expect(row?.custom_headers).toEqual([{ key: "X-Idempotency-Key", value: "keep-me" }]);
    await waitUntil(async () => (await runDeliveries(runId))[0]?.status === "succeeded");
  });

  it("does not create or send anything again when the run is processed twice", async () => {
    const receiver = await createReceiver();
    const { runId } = await setup(receiver.url);
    const first = await runTask([runId]);
    expect(first.result.explicitAcks).toEqual([first.id]);
    await receiver.waitFor(1);
    const second = await runTask([runId]);
    expect(second.result.explicitAcks).toEqual([second.id]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await receiver.requests()).toHaveLength(1);
    expect(await runDeliveries(runId)).toHaveLength(1);
  });

  it("runs a job id once even when its message arrives twice", async () => {
    const receiver = await createReceiver();
    const { runId } = await setup(receiver.url);
    const jobId = `run-${runId}-${crypto.randomUUID()}`;
    await runTask([runId], jobId);
    // The task is idempotent anyway (the rows exist), so the ledger's own record is what shows
    // that the second message did not run it.
    const duplicate = await runTask([runId], jobId);
    expect(duplicate.result.explicitAcks).toEqual([duplicate.id]);
    const rows = await db().execute<{ runs: number; state: string }>(
      sql`SELECT runs, state FROM queue_jobs WHERE job_id = ${jobId}`,
    );
    expect(rows.rows).toEqual([{ runs: 1, state: "done" }]);
  });

  it("refuses a run whose workflow belongs to another organization", async () => {
    const receiver = await createReceiver();
    const { runId } = await setup(receiver.url);
    const otherOrg = await createOrganization();
    const { id, result } = await runTask([runId, otherOrg]);
    expect(result.explicitAcks).toEqual([id]);
    expect(await runDeliveries(runId)).toEqual([]);
    const [kept] = await db()
      .select()
      .from(queueRejections)
      .where(eq(queueRejections.message_id, id));
    expect(kept?.reason).toMatch(/belongs to another organization/);
    expect(await receiver.requests()).toEqual([]);
  });

  it("keeps the template's and the context's key order in the bytes it sends", async () => {
    const receiver = await createReceiver();
    const org = await createOrganization();
    const template = {
      zeta: "{{gathered_context}}",
      alpha: { y: 1, b: 2 },
      mid: "{{workflow_run_name}}",
    };
    const { workflowId, definitionId } = await createWorkflow(org, [
      webhookNode("ordered", { endpoint_url: receiver.url, payload_template: template }),
    ]);
    const runId = await createRun(workflowId, definitionId, {
      name: "call 7",
      gathered_context: { z_last: 1, a_first: 2, call_disposition: "ok" },
    });
    await runTask([runId]);
    const [request] = await receiver.waitFor(1);
    expect(request?.body).toBe(
      JSON.stringify({
        zeta: '{"z_last": 1, "a_first": 2, "call_disposition": "ok"}',
        alpha: { y: 1, b: 2 },
        mid: "call 7",
        call_disposition: "ok",
      }),
    );
  });
});
