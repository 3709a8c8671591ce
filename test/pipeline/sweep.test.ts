/**
 * The Cron sweep re-drives what is overdue: backlogs larger than a page, leases that expired
 * mid-send, and 2xx attempts whose success could not be recorded. The claim keeps it at one send.
 */

import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq, inArray } from "drizzle-orm";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { sweep } from "../../src/cron/sweep";
import { webhookDeliveries } from "../../src/db/schema";
import { deliveryObject } from "../../src/queues/tasks/deliver-webhook";
import worker from "../../src/worker";
import { clearFaults, injectFault } from "../helpers/endpoint";
import {
  createDelivery,
  createOrganization,
  db,
  getDelivery,
  settleLeftovers,
} from "../helpers/fixtures";
import { createReceiver } from "../helpers/receiver";
import { waitUntil } from "../helpers/wait";

afterAll(settleLeftovers);

afterEach(clearFaults);

/** The real Cron Trigger handler, as Cloudflare calls it every 5 minutes. */
async function runCron() {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "*/5 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function makeLeaseExpire(id: number) {
  await db()
    .update(webhookDeliveries)
    .set({ scheduled_for: new Date(Date.now() - 1000) })
    .where(eq(webhookDeliveries.id, id));
}

describe("the sweep", () => {
  it("re-drives a backlog of 250 overdue rows, 100 to a page, in one run", async () => {
    const org = await createOrganization();
    const receiver = await createReceiver();
    const rows = await db()
      .insert(webhookDeliveries)
      .values(
        Array.from({ length: 250 }, (_, i) => ({
          delivery_uuid: crypto.randomUUID(),
          organization_id: org,
          endpoint_url: receiver.url,
          webhook_node_id: `backlog-${i}`,
          payload: { n: i },
          scheduled_for: new Date(Date.now() - 60_000),
        })),
      )
      .returning({ id: webhookDeliveries.id, uuid: webhookDeliveries.delivery_uuid });

    const result = await sweep(env, 100);
    expect(result.reenqueued).toBeGreaterThanOrEqual(250);
    expect(result.pages).toBeGreaterThanOrEqual(3);

    const requests = await receiver.waitFor(250, 60_000);
    const ids = rows.map((r) => r.id);
    await waitUntil(
      async () => {
        const statuses = await db()
          .select({ status: webhookDeliveries.status })
          .from(webhookDeliveries)
          .where(inArray(webhookDeliveries.id, ids));
        return statuses.every((r) => r.status === "succeeded");
      },
      30_000,
      "all 250 to succeed",
    );
    const seen = new Set(requests.map((r) => r.headers["x-dograh-delivery-id"]));
    expect(seen).toEqual(new Set(rows.map((r) => r.uuid)));
    expect(requests).toHaveLength(250);
  }, 120_000);

  it("reclaims and completes a delivery whose lease expired mid-send", async () => {
    const org = await createOrganization();
    const receiver = await createReceiver();
    // Claimed for attempt 1, then its worker vanished: still pending, lease already over.
    const delivery = await createDelivery(org, {
      endpoint_url: receiver.url,
      attempt_count: 1,
      scheduled_for: new Date(Date.now() - 5_000),
    });
    await runCron();
    const [request] = await receiver.waitFor(1);
    expect(request?.headers["x-dograh-delivery-attempt"]).toBe("2");
    await waitUntil(async () => (await getDelivery(delivery.id)).status === "succeeded");
  });

  it("completes a 2xx whose success write failed, re-sending with the same delivery id", async () => {
    const org = await createOrganization();
    const receiver = await createReceiver();
    const delivery = await createDelivery(org, { endpoint_url: receiver.url });
    await injectFault({
      match: "UPDATE webhook_deliveries",
      params: ["succeeded", String(delivery.id)],
    });
    const report = await deliveryObject(env, { id: delivery.id }).deliver({ id: delivery.id });
    expect(report.kind).toBe("unrecorded");
    expect((await getDelivery(delivery.id)).status).toBe("pending");

    await makeLeaseExpire(delivery.id);
    await runCron();
    const requests = await receiver.waitFor(2);
    await waitUntil(async () => (await getDelivery(delivery.id)).status === "succeeded");
    expect(requests.map((r) => r.headers["x-dograh-delivery-id"])).toEqual([
      delivery.delivery_uuid,
      delivery.delivery_uuid,
    ]);
  });

  it("leaves deliveries that are not yet due alone", async () => {
    const org = await createOrganization();
    const receiver = await createReceiver();
    const delivery = await createDelivery(org, {
      endpoint_url: receiver.url,
      attempt_count: 1,
      scheduled_for: new Date(Date.now() + 60_000),
    });
    await runCron();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await receiver.requests()).toEqual([]);
    expect((await getDelivery(delivery.id)).attempt_count).toBe(1);
  });
});

describe("one delivery, many triggers", () => {
  it("sends exactly once for twenty concurrent messages plus a sweep", async () => {
    const org = await createOrganization();
    const receiver = await createReceiver([{ status: 200, delayMs: 300 }]);
    const delivery = await createDelivery(org, { endpoint_url: receiver.url });
    const messages = Array.from({ length: 20 }, (_, i) => ({
      body: { task: "deliver_webhook", args: [i % 2 === 0 ? delivery.id : delivery.delivery_uuid] },
      contentType: "json" as const,
    }));
    await Promise.all([env.WEBHOOK_TASKS.sendBatch(messages), sweep(env)]);
    await waitUntil(async () => (await getDelivery(delivery.id)).status === "succeeded");
    await new Promise((r) => setTimeout(r, 2000));
    expect(await receiver.requests()).toHaveLength(1);
    expect((await getDelivery(delivery.id)).attempt_count).toBe(1);
  });

  it("sends exactly once for twenty concurrent calls on the object itself", async () => {
    const org = await createOrganization();
    const receiver = await createReceiver([{ status: 200, delayMs: 200 }]);
    const delivery = await createDelivery(org, { endpoint_url: receiver.url });
    const stub = deliveryObject(env, { id: delivery.id });
    const reports = await Promise.all(
      Array.from({ length: 20 }, () => stub.deliver({ id: delivery.id })),
    );
    expect(reports.filter((r) => r.kind === "succeeded")).toHaveLength(1);
    expect(await receiver.requests()).toHaveLength(1);
  });
});
