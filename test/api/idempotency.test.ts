import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sqlRequests } from "../helpers/endpoint";
import { db } from "../helpers/fixtures";
import { createReceiver } from "../helpers/receiver";
import { call, callWithEnv, newOrganization } from "./client";

describe("idempotent creation", () => {
  it("turns ten concurrent requests with one key into one delivery and one send", async () => {
    const org = await newOrganization();
    const receiver = await createReceiver();
    const key = `order-${crypto.randomUUID()}`;
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        call("/v1/deliveries", {
          token: org.apiKey,
          json: { endpoint_url: receiver.url, payload: { order: 1 } },
          headers: { "Idempotency-Key": key },
        }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const ids = new Set(responses.map((r) => r.body.id));
    expect(ids.size).toBe(1);

    const rows = await db().execute(
      sql`SELECT id FROM webhook_deliveries WHERE organization_id = ${org.id} AND idempotency_key = ${key}`,
    );
    expect(rows.rows).toHaveLength(1);

    await receiver.waitFor(1);
    // Give a duplicate send every chance to show up before counting.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await receiver.requests()).toHaveLength(1);
  });

  it("creates distinct deliveries without a key", async () => {
    const org = await newOrganization();
    const receiver = await createReceiver();
    const [a, b] = await Promise.all(
      [1, 2].map(() =>
        call("/v1/deliveries", { token: org.apiKey, json: { endpoint_url: receiver.url } }),
      ),
    );
    expect(a?.status).toBe(201);
    expect(b?.status).toBe(201);
    expect(a?.body.id).not.toBe(b?.body.id);
    await receiver.waitFor(2);
  });
});

describe("database round trips", () => {
  // The local endpoint counts requests per connection string (matched by substring, as the
  // driver normalises it), so a connection string of our own isolates our requests.
  const user = `rt${crypto.randomUUID().replace(/-/g, "")}`;
  const connection = `postgres://${user}:x@localhost:5432/local`;

  async function counted(
    path: string,
    init: RequestInit,
  ): Promise<{ status: number; requests: number }> {
    const before = await sqlRequests(user);
    const res = await callWithEnv({ DATABASE_URL: connection }, path, init);
    return { status: res.status, requests: (await sqlRequests(user)) - before };
  }

  it("spends two for a create and two for a read", async () => {
    const org = await newOrganization();
    const receiver = await createReceiver();
    const auth = { authorization: `Bearer ${org.apiKey}` };
    const created = await counted("/v1/deliveries", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ endpoint_url: receiver.url, idempotency_key: "k" }),
    });
    expect(created).toEqual({ status: 201, requests: 2 });
    const replayed = await counted("/v1/deliveries", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ endpoint_url: receiver.url, idempotency_key: "k" }),
    });
    expect(replayed).toEqual({ status: 200, requests: 2 });
    const list = await call("/v1/deliveries", { token: org.apiKey });
    const read = await counted(`/v1/deliveries/${list.body.data[0].id}`, { headers: auth });
    expect(read).toEqual({ status: 200, requests: 2 });
    await receiver.waitFor(1);
  });
});
