import { beforeAll, describe, expect, it } from "vitest";
import { createDelivery as insertDelivery } from "../helpers/fixtures";
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
      attempt_count: 1,
      max_attempts: 4,
    });

    const [first, second] = await receiver.waitFor(2);
    expect(second?.headers["x-dograh-delivery-id"]).toBe(first?.headers["x-dograh-delivery-id"]);
    expect(second?.headers["x-dograh-delivery-id"]).toBe(created.id);
    expect(second?.headers["webhook-id"]).toBe(created.id);
    expect(second?.headers["x-dograh-delivery-attempt"]).toBe("2");

    const done = await waitForStatus(created.id, "succeeded");
    expect(
      done.attempts.map((a: { attempt: number; outcome: string }) => [a.attempt, a.outcome]),
    ).toEqual([
      [1, "dead_letter"],
      [2, "succeeded"],
    ]);
    expect(done.last_error).toBeNull();
  });

  it("gives every retry a budget of the same size", async () => {
    const receiver = await createReceiver([{ status: 410 }, { status: 410 }, { status: 200 }]);
    const created = await createDelivery(org.apiKey, {
      endpoint_url: receiver.url,
      max_attempts: 2,
    });
    await waitForStatus(created.id, "dead_letter");
    expect((await retry(created.id)).body.max_attempts).toBe(3);
    await receiver.waitFor(2);
    await waitForStatus(created.id, "dead_letter");
    // attempt 2 dead-lettered; a fresh budget of 2 again: attempts 3 and 4.
    const again = await retry(created.id);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ attempt_count: 2, max_attempts: 4 });
    await receiver.waitFor(3);
    await waitForStatus(created.id, "succeeded");
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
