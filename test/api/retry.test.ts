import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { deliveryObject } from "../../src/queues/tasks/deliver-webhook";
import { db, createDelivery as insertDelivery } from "../helpers/fixtures";
import { createReceiver } from "../helpers/receiver";
import { waitUntil } from "../helpers/wait";
import { call, createDelivery, expectProblem, newOrganization } from "./client";

let org: { id: number; apiKey: string };

beforeAll(async () => {
  org = await newOrganization();
});

async function waitForStatus(id: string, status: string) {
  return waitUntil(
    async () => {
      const res = await call(`/v1/deliveries/${id}`, { token: org.apiKey });
      return res.body.status === status ? res.body : null;
    },
    10_000,
    `delivery ${id} to be ${status}`,
  );
}

const retry = (id: string) =>
  call(`/v1/deliveries/${id}/retry`, { method: "POST", token: org.apiKey });

describe("POST /v1/deliveries/{id}/retry", () => {
  it("sends a dead letter again with the same delivery id and a fresh budget", async () => {
    const receiver = await createReceiver([{ status: 404 }, { status: 200 }]);
    const created = await createDelivery(org.apiKey, {
      endpoint_url: receiver.url,
      max_attempts: 3,
    });
    const dead = await waitForStatus(created.id, "dead_letter");
    expect(dead).toMatchObject({
      attempt_count: 1,
      max_attempts: 3,
      last_status_code: 404,
      scheduled_for: null,
    });

    const res = await retry(created.id);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      id: created.id,
      status: "pending",
      attempt_count: 0,
      max_attempts: 3,
      // The dead-letter reason stays visible until the next attempt records its own.
      last_status_code: 404,
      last_error: dead.last_error,
    });
    expect(res.body.scheduled_for).toEqual(expect.any(String));

    const [first, second] = await receiver.waitFor(2);
    expect(second?.headers["x-dograh-delivery-id"]).toBe(first?.headers["x-dograh-delivery-id"]);
    expect(second?.headers["x-dograh-delivery-id"]).toBe(created.id);
    expect(second?.headers["webhook-id"]).toBe(created.id);
    expect(first?.headers["x-dograh-delivery-attempt"]).toBe("1");
    expect(second?.headers["x-dograh-delivery-attempt"]).toBe("1");

    const done = await waitForStatus(created.id, "succeeded");
    expect(done).toMatchObject({ attempt_count: 1, max_attempts: 3, last_status_code: 200 });
    expect(
      done.attempts.map((a: { attempt: number; outcome: string }) => [a.attempt, a.outcome]),
    ).toEqual([
      [1, "dead_letter"],
      [1, "succeeded"],
    ]);
    const started = done.attempts.map((a: { started_at: string }) => a.started_at);
    expect([...started].sort()).toEqual(started);
    expect(done.last_error).toBeNull();
  });

  it("gives every retry the same budget, numbered from 1 with the base backoff", async () => {
    // A budget of 2: 503 then 410 dead-letters, twice; after the second retry, 200.
    const receiver = await createReceiver([
      { status: 503 },
      { status: 410 },
      { status: 503 },
      { status: 410 },
      { status: 200 },
    ]);
    const created = await createDelivery(org.apiKey, {
      endpoint_url: receiver.url,
      max_attempts: 2,
    });
    const [{ id: rowId }] = (
      await db().execute<{ id: number }>(
        sql`SELECT id FROM webhook_deliveries WHERE delivery_uuid = ${created.id}`,
      )
    ).rows as [{ id: number }];

    /** Waits for attempt 1 to schedule its retry, checks the delay, then runs attempt 2. */
    const failFirstThenDeadLetter = async (sent: number) => {
      await receiver.waitFor(sent);
      const row = await waitUntil(async () => {
        const r = await db().execute<{ delay: number }>(sql`
          SELECT extract(epoch FROM scheduled_for - updated_at)::float8 AS delay
            FROM webhook_deliveries
           WHERE id = ${rowId} AND status = 'pending' AND attempt_count = 1
             AND last_status_code = 503`);
        return r.rows[0] ?? null;
      });
      // The base delay (30 s) with at most 20% jitter: the backoff starts over with the budget.
      expect(row.delay).toBeGreaterThanOrEqual(24);
      expect(row.delay).toBeLessThanOrEqual(36);
      // A pending delivery is not a dead letter: the retry endpoint leaves it alone.
      expect((await retry(created.id)).status).toBe(409);
      // Fake the passage of time: make the retry due, then run the delivery's alarm.
      await db().execute(
        sql`UPDATE webhook_deliveries SET scheduled_for = now() - interval '1 second' WHERE id = ${rowId}`,
      );
      await runDurableObjectAlarm(deliveryObject(env, { id: rowId }));
      return waitForStatus(created.id, "dead_letter");
    };

    const firstDead = await failFirstThenDeadLetter(1);
    expect(firstDead).toMatchObject({ attempt_count: 2, max_attempts: 2, last_status_code: 410 });

    const again = await retry(created.id);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ attempt_count: 0, max_attempts: 2, last_status_code: 410 });
    const secondDead = await failFirstThenDeadLetter(3);
    expect(secondDead).toMatchObject({ attempt_count: 2, max_attempts: 2, last_status_code: 410 });

    const third = await retry(created.id);
    expect(third.status).toBe(202);
    expect(third.body).toMatchObject({ attempt_count: 0, max_attempts: 2 });
    const requests = await receiver.waitFor(5);
    expect(requests.map((r) => r.headers["x-dograh-delivery-attempt"])).toEqual([
      "1",
      "2",
      "1",
      "2",
      "1",
    ]);
    expect(new Set(requests.map((r) => r.headers["x-dograh-delivery-id"]))).toEqual(
      new Set([created.id]),
    );
    const done = await waitForStatus(created.id, "succeeded");
    expect(done).toMatchObject({ attempt_count: 1, max_attempts: 2, last_error: null });
    expect(
      done.attempts.map((a: { attempt: number; outcome: string }) => [a.attempt, a.outcome]),
    ).toEqual([
      [1, "retry"],
      [2, "dead_letter"],
      [1, "retry"],
      [2, "dead_letter"],
      [1, "succeeded"],
    ]);
  });

  it("answers 409 for a succeeded delivery", async () => {
    const receiver = await createReceiver();
    const created = await createDelivery(org.apiKey, { endpoint_url: receiver.url });
    await waitForStatus(created.id, "succeeded");
    const res = await retry(created.id);
    expect(expectProblem(res, 409, "not_dead_letter").detail).toContain("succeeded");
  });

  it("answers 409 for a pending delivery and leaves it alone", async () => {
    const row = await insertDelivery(org.id, {
      endpoint_url: "https://example.com/never",
      scheduled_for: new Date(Date.now() + 3_600_000),
    });
    const res = await retry(row.delivery_uuid);
    expect(expectProblem(res, 409).detail).toContain("pending");
    const after = await call(`/v1/deliveries/${row.delivery_uuid}`, { token: org.apiKey });
    expect(after.body).toMatchObject({ status: "pending", max_attempts: 5, attempt_count: 0 });
  });

  it("answers 404 for an unknown or foreign delivery", async () => {
    expectProblem(await retry(crypto.randomUUID()), 404, "not_found");
    expectProblem(await retry("42"), 404, "not_found");
    const other = await newOrganization();
    const theirs = await insertDelivery(other.id, {
      endpoint_url: "https://example.com/never",
      status: "dead_letter",
      scheduled_for: null,
    });
    expectProblem(await retry(theirs.delivery_uuid), 404, "not_found");
  });
});
