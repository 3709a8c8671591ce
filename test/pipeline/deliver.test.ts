/**
 * deliver_webhook through the delivery's Durable Object: each outcome of the reference, against
 * real loopback receivers and the real database. Time is faked only by moving `scheduled_for`.
 */

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { getConfig } from "../../src/config";
import { claimDelivery, recordAttempt } from "../../src/db/queries/deliveries";
import { externalCredentials, webhookDeliveries } from "../../src/db/schema";
import { runAttempt } from "../../src/durable/attempt";
import { deliveryObject } from "../../src/queues/tasks/deliver-webhook";
import { clearFaults, injectFault } from "../helpers/endpoint";
import {
  createDelivery,
  createOrganization,
  db,
  getAttempts,
  getDelivery,
  settleLeftovers,
} from "../helpers/fixtures";
import { createReceiver, type Scripted } from "../helpers/receiver";

afterAll(settleLeftovers);

afterEach(async () => {
  vi.restoreAllMocks();
  await clearFaults();
});

async function pendingDelivery(responses: Scripted[], fields: Record<string, unknown> = {}) {
  const org = await createOrganization();
  const receiver = await createReceiver(responses);
  const delivery = await createDelivery(org, { endpoint_url: receiver.url, ...fields });
  const stub = deliveryObject(env, { id: delivery.id });
  return { org, receiver, delivery, stub, deliver: () => stub.deliver({ id: delivery.id }) };
}

/** Fakes the passing of time: makes the scheduled attempt due now. */
async function makeDue(id: number) {
  await db()
    .update(webhookDeliveries)
    .set({ scheduled_for: new Date(Date.now() - 1000) })
    .where(eq(webhookDeliveries.id, id));
}

async function alarmOf(stub: DurableObjectStub) {
  return runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
}

describe("deliver_webhook", () => {
  it("marks a 2xx succeeded and records the attempt", async () => {
    const { delivery, deliver, receiver, stub } = await pendingDelivery([{ status: 204 }]);
    expect(await deliver()).toMatchObject({ kind: "succeeded", attempt: 1 });
    const row = await getDelivery(delivery.id);
    expect(row).toMatchObject({ status: "succeeded", attempt_count: 1, scheduled_for: null });
    expect(row).toMatchObject({ last_error: null, last_status_code: 204 });
    expect(await getAttempts(delivery.id)).toMatchObject([
      { attempt: 1, status_code: 204, outcome: "succeeded", error: null },
    ]);
    const [request] = await receiver.requests();
    expect(JSON.parse(request?.body ?? "")).toEqual({ hello: "world" });
    expect(await alarmOf(stub)).toBeNull();
  });

  it("schedules a retry after a network error, with the alarm at the recorded time", async () => {
    const { delivery, deliver, stub } = await pendingDelivery([{ status: 0, reset: true }]);
    const before = Date.now();
    const report = await deliver();
    expect(report.kind).toBe("retry_scheduled");
    const row = await getDelivery(delivery.id);
    expect(row.status).toBe("pending");
    expect(row.attempt_count).toBe(1);
    expect(row.last_status_code).toBeNull();
    expect(row.last_error).toMatch(/^could not reach http:\/\/127\.0\.0\.1:\d+: /);
    const due = new Date(row.scheduled_for ?? 0).getTime();
    // base 30 s, at most 20% jitter
    expect(due - before).toBeGreaterThanOrEqual(24_000 - 50);
    expect(due - before).toBeLessThanOrEqual(36_000 + 1_000);
    expect(await alarmOf(stub)).toBe(due);
    expect(await getAttempts(delivery.id)).toMatchObject([{ attempt: 1, outcome: "retry" }]);
  });

  it("schedules a retry after a retryable 5xx", async () => {
    const { delivery, deliver } = await pendingDelivery([{ status: 500 }]);
    expect((await deliver()).kind).toBe("retry_scheduled");
    expect(await getDelivery(delivery.id)).toMatchObject({
      status: "pending",
      last_status_code: 500,
    });
  });

  it("treats a timeout as transient", async () => {
    const { delivery, deliver } = await pendingDelivery([{ status: 200, delayMs: 3_000 }]);
    expect((await deliver()).kind).toBe("retry_scheduled");
    expect((await getDelivery(delivery.id)).last_error).toMatch(
      /^timeout after 2000 ms waiting for http:\/\/127\.0\.0\.1:\d+/,
    );
  });

  it("dead-letters a permanent 4xx at once", async () => {
    const { delivery, deliver } = await pendingDelivery([{ status: 404 }]);
    expect(await deliver()).toMatchObject({ kind: "dead_letter", attempt: 1 });
    const row = await getDelivery(delivery.id);
    expect(row).toMatchObject({
      status: "dead_letter",
      scheduled_for: null,
      last_status_code: 404,
    });
    expect(row.last_error).toMatch(/404/);
  });

  it("dead-letters a redirect instead of following it", async () => {
    const { receiver } = await pendingDelivery([]);
    const { delivery, deliver } = await pendingDelivery([
      { status: 302, headers: { location: receiver.url } },
    ]);
    expect((await deliver()).kind).toBe("dead_letter");
    expect((await getDelivery(delivery.id)).last_status_code).toBe(302);
    expect(await receiver.requests()).toEqual([]);
  });

  it("dead-letters when the attempts are exhausted", async () => {
    const { delivery, deliver, stub } = await pendingDelivery([{ status: 503 }, { status: 503 }], {
      max_attempts: 2,
    });
    expect((await deliver()).kind).toBe("retry_scheduled");
    await makeDue(delivery.id);
    expect(await deliver()).toMatchObject({ kind: "dead_letter", attempt: 2 });
    const row = await getDelivery(delivery.id);
    expect(row).toMatchObject({ status: "dead_letter", attempt_count: 2, last_status_code: 503 });
    expect(row.last_error).toMatch(/exhausted/);
    expect(await getAttempts(delivery.id)).toMatchObject([
      { attempt: 1, outcome: "retry" },
      { attempt: 2, outcome: "dead_letter" },
    ]);
    expect(await alarmOf(stub)).toBeNull();
  });

  it("honours a longer Retry-After on 429", async () => {
    const { delivery, deliver } = await pendingDelivery([
      { status: 429, headers: { "retry-after": "120" } },
    ]);
    const before = Date.now();
    await deliver();
    const due = new Date((await getDelivery(delivery.id)).scheduled_for ?? 0).getTime();
    expect(due - before).toBeGreaterThanOrEqual(119_000);
    expect(due - before).toBeLessThanOrEqual(121_000);
  });

  it("does nothing when the claim fails, keeping the object's alarm right", async () => {
    const dueAt = new Date(Date.now() + 60_000);
    const notDue = await pendingDelivery([], { scheduled_for: dueAt });
    expect(await notDue.deliver()).toEqual({ kind: "not_claimed" });
    // The pending row's next attempt is armed, so it does not wait for a sweep.
    expect(await alarmOf(notDue.stub)).toBe(dueAt.getTime());
    const done = await pendingDelivery([], { status: "succeeded", scheduled_for: null });
    expect(await done.deliver()).toEqual({ kind: "not_claimed" });
    expect(await alarmOf(done.stub)).toBeNull();
    expect(await notDue.receiver.requests()).toEqual([]);
    expect(await done.receiver.requests()).toEqual([]);
    expect((await getDelivery(notDue.delivery.id)).attempt_count).toBe(0);
  });

  it("reports a delivery that does not exist", async () => {
    const stub = deliveryObject(env, { id: 1_999_999_999 });
    expect(await stub.deliver({ id: 1_999_999_999 })).toEqual({ kind: "missing" });
    expect(await alarmOf(stub)).toBeNull();
  });

  it("keeps a delivered attempt pending when recording the success fails", async () => {
    const { delivery, deliver } = await pendingDelivery([{ status: 200 }]);
    await injectFault({
      match: "UPDATE webhook_deliveries",
      params: ["succeeded", String(delivery.id)],
    });
    const report = await deliver();
    expect(report.kind).toBe("unrecorded");
    const row = await getDelivery(delivery.id);
    expect(row.status).toBe("pending");
    // still leased: the sweep re-sends it only once the lease is over
    expect(new Date(row.scheduled_for ?? 0).getTime()).toBeGreaterThan(Date.now() + 30_000);
  });

  it("retries, then dead-letters, a delivery whose credential cannot be decrypted", async () => {
    const org = await createOrganization();
    const credentialUuid = crypto.randomUUID();
    await db()
      .insert(externalCredentials)
      .values({
        credential_uuid: credentialUuid,
        organization_id: org,
        name: "sealed with another key",
        credential_type: "bearer_token",
        credential_data: { v: 1, alg: "A256GCM", iv: "AAAAAAAAAAAAAAAA", ct: "garbage0" },
      });
    const receiver = await createReceiver();
    const delivery = await createDelivery(org, {
      endpoint_url: receiver.url,
      credential_uuid: credentialUuid,
      max_attempts: 2,
    });
    const stub = deliveryObject(env, { id: delivery.id });
    // A key problem is an operator's to fix: retried within the budget, not dead at once.
    expect((await stub.deliver({ id: delivery.id })).kind).toBe("retry_scheduled");
    expect((await getDelivery(delivery.id)).last_error).toMatch(
      /could not open the delivery's secrets/,
    );
    await makeDue(delivery.id);
    expect((await stub.deliver({ id: delivery.id })).kind).toBe("dead_letter");
    const row = await getDelivery(delivery.id);
    expect(row).toMatchObject({ status: "dead_letter", attempt_count: 2 });
    expect(row.last_error).toMatch(/attempts exhausted: could not open the delivery's secrets/);
    expect(await receiver.requests()).toEqual([]);
  });

  it("dead-letters a stored target that can never be sent", async () => {
    const org = await createOrganization();
    const delivery = await createDelivery(org, { endpoint_url: "ftp://files.example.com/drop" });
    const report = await deliveryObject(env, { id: delivery.id }).deliver({ id: delivery.id });
    expect(report).toMatchObject({ kind: "dead_letter", attempt: 1 });
    expect((await getDelivery(delivery.id)).last_error).toMatch(/http or https/);
  });

  it("dead-letters an unexpected failure with its reason instead of looping", async () => {
    const org = await createOrganization();
    const receiver = await createReceiver();
    const delivery = await createDelivery(org, { endpoint_url: receiver.url });
    const config = getConfig(env);
    const claimed = await claimDelivery(db(), delivery.id, config.leaseSeconds);
    if (!claimed) throw new Error("claim failed");
    // A bug in the send path, injected as a row whose payload cannot be read.
    const broken = Object.defineProperty({ ...claimed }, "payload", {
      get() {
        throw new TypeError("cannot read payload");
      },
    });
    const report = await runAttempt({ env, config, db: db(), delivery: broken });
    expect(report.kind).toBe("dead_letter");
    const row = await getDelivery(delivery.id);
    expect(row.status).toBe("dead_letter");
    expect(row.last_error).toBe("unexpected error: TypeError: cannot read payload");
    expect(await receiver.requests()).toEqual([]);
  });

  it("sends without a credential that no longer exists, as the reference does", async () => {
    const { deliver, receiver } = await pendingDelivery([], {
      credential_uuid: crypto.randomUUID(),
    });
    expect((await deliver()).kind).toBe("succeeded");
    const [request] = await receiver.requests();
    expect(request?.headers.authorization).toBeUndefined();
  });

  it("runs the next attempt from its alarm, counting attempts with a stable delivery id", async () => {
    const { delivery, deliver, stub, receiver } = await pendingDelivery([
      { status: 503 },
      { status: 503 },
      { status: 200 },
    ]);
    expect((await deliver()).kind).toBe("retry_scheduled");
    for (let i = 0; i < 2; i++) {
      const row = await getDelivery(delivery.id);
      expect(await alarmOf(stub)).toBe(new Date(row.scheduled_for ?? 0).getTime());
      await makeDue(delivery.id);
      expect(await runDurableObjectAlarm(stub)).toBe(true);
    }
    const requests = await receiver.requests();
    expect(requests.map((r) => r.headers["x-dograh-delivery-attempt"])).toEqual(["1", "2", "3"]);
    expect(new Set(requests.map((r) => r.headers["x-dograh-delivery-id"]))).toEqual(
      new Set([delivery.delivery_uuid]),
    );
    expect(new Set(requests.map((r) => r.headers["webhook-id"]))).toEqual(
      new Set([delivery.delivery_uuid]),
    );
    expect((await getDelivery(delivery.id)).status).toBe("succeeded");
  });

  it("logs the request with the url's origin only and sensitive values redacted", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    const org = await createOrganization();
    const receiver = await createReceiver();
    const delivery = await createDelivery(org, {
      endpoint_url: `${receiver.url}/calls?token=secret-in-query`,
      payload: {
        customer: { email: "ada@example.com", note: "see https://crm.example.com/x" },
        n: 1,
      },
      custom_headers: [{ key: "X-Tenant", value: "tenant-42" }],
    });
    await deliveryObject(env, { id: delivery.id }).deliver({ id: delivery.id });
    const line = lines.find((l) => l.includes('"event":"delivery.request"'));
    expect(line).toBeDefined();
    const logged = JSON.parse(line ?? "{}");
    expect(logged.url).toBe(new URL(receiver.url).origin);
    expect(line).not.toContain("secret-in-query");
    expect(line).not.toContain("ada@example.com");
    expect(line).not.toContain("crm.example.com");
    expect(line).not.toContain("tenant-42");
    expect(logged.payload).toEqual({ customer: { email: "[REDACTED]", note: "[REDACTED]" }, n: 1 });
    expect(logged.headers["X-Dograh-Delivery-Id"]).toBe(delivery.delivery_uuid);
  });

  it("never lets a late result overwrite a newer claim with the same attempt number", async () => {
    const org = await createOrganization();
    const delivery = await createDelivery(org, { endpoint_url: "http://127.0.0.1:9/unused" });
    const { leaseSeconds } = getConfig(env);
    const first = await claimDelivery(db(), delivery.id, leaseSeconds);
    // Its lease ran out and the delivery was retried from scratch: a new claim is attempt 1 too.
    await db()
      .update(webhookDeliveries)
      .set({ attempt_count: 0, scheduled_for: new Date(Date.now() - 1000) })
      .where(eq(webhookDeliveries.id, delivery.id));
    const second = await claimDelivery(db(), delivery.id, leaseSeconds);
    expect(first?.attempt_count).toBe(1);
    expect(second?.attempt_count).toBe(1);

    const late = {
      deliveryId: delivery.id,
      attempt: 1,
      leaseUntil: first?.lease_until ?? "",
      startedAt: new Date(),
      durationMs: 5,
      statusCode: 404,
      error: "HTTP 404 (not retryable)",
    };
    expect(await recordAttempt(db(), late, { kind: "dead_letter" })).toBe(false);
    expect((await getDelivery(delivery.id)).status).toBe("pending");
    const own = { ...late, leaseUntil: second?.lease_until ?? "", statusCode: 200, error: null };
    expect(await recordAttempt(db(), own, { kind: "succeeded" })).toBe(true);
    expect((await getDelivery(delivery.id)).status).toBe("succeeded");
  });
});
