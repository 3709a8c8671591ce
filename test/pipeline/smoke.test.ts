import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { enqueueJob } from "../../src/queues/enqueue";
import { createDelivery, createOrganization, getAttempts, getDelivery } from "../helpers/fixtures";
import { createReceiver } from "../helpers/receiver";
import { waitUntil } from "../helpers/wait";

describe("smoke", () => {
  it("delivers through queue and durable object", async () => {
    const org = await createOrganization();
    const receiver = await createReceiver();
    const delivery = await createDelivery(org, { endpoint_url: receiver.url });
    await enqueueJob(env.WEBHOOK_TASKS, "deliver_webhook", [delivery.id]);
    const [req] = await receiver.waitFor(1);
    expect(req?.headers["x-dograh-delivery-id"]).toBe(delivery.delivery_uuid);
    const row = await waitUntil(async () => {
      const r = await getDelivery(delivery.id);
      return r.status === "succeeded" ? r : null;
    });
    expect(row.attempt_count).toBe(1);
    expect(await getAttempts(delivery.id)).toHaveLength(1);
  });
});
