import { sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { db, createDelivery as insertDelivery } from "../helpers/fixtures";
import { createReceiver } from "../helpers/receiver";
import { waitUntil } from "../helpers/wait";
import { call, callWithEnv, createDelivery, expectProblem, newOrganization } from "./client";

let org: { id: number; apiKey: string };
/** A real receiver answering 200, so the deliveries these tests create are sent for real. */
let TARGET: string;

beforeAll(async () => {
  org = await newOrganization();
  TARGET = (await createReceiver()).url;
});

afterEach(() => {
  vi.restoreAllMocks();
});

const DELIVERY_FIELDS = [
  "id",
  "status",
  "attempt_count",
  "max_attempts",
  "endpoint_url",
  "http_method",
  "webhook_name",
  "workflow_run_id",
  "webhook_node_id",
  "scheduled_for",
  "last_status_code",
  "last_error",
  "idempotency_key",
  "created_at",
  "updated_at",
];

describe("POST /v1/deliveries", () => {
  it("creates a pending delivery, sends it, and reports it", async () => {
    const receiver = await createReceiver();
    const res = await call("/v1/deliveries", {
      token: org.apiKey,
      json: {
        endpoint_url: receiver.url,
        payload: { event: "call.completed", n: 1 },
        http_method: "put",
        webhook_name: "crm",
        custom_headers: [
          { key: "X-Tenant", value: "t1" },
          { key: "X-Api-Key", value: "leak" },
          { key: "Authorization", value: "Bearer leak" },
        ],
        max_attempts: 3,
      },
    });
    expect(res.status, res.text).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual([...DELIVERY_FIELDS, "dropped_headers"].sort());
    expect(res.body).toMatchObject({
      status: "pending",
      attempt_count: 0,
      max_attempts: 3,
      endpoint_url: receiver.url,
      http_method: "PUT",
      webhook_name: "crm",
      workflow_run_id: null,
      webhook_node_id: "api",
      idempotency_key: null,
      dropped_headers: ["X-Api-Key", "Authorization"],
    });
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("location")).toBe(`/v1/deliveries/${res.body.id}`);
    expect(new Date(res.body.created_at).toISOString()).toBe(res.body.created_at);

    const [sent] = await receiver.waitFor(1);
    expect(sent?.method).toBe("PUT");
    expect(JSON.parse(sent?.body ?? "")).toEqual({ event: "call.completed", n: 1 });
    expect(sent?.headers["x-dograh-delivery-id"]).toBe(res.body.id);
    expect(sent?.headers["x-tenant"]).toBe("t1");
    expect(sent?.headers["x-api-key"]).toBeUndefined();
    expect(sent?.headers.authorization).toBeUndefined();

    const done = await waitUntil(async () => {
      const got = await call(`/v1/deliveries/${res.body.id}`, { token: org.apiKey });
      return got.body.status === "succeeded" ? got.body : null;
    });
    expect(done).toMatchObject({ attempt_count: 1, scheduled_for: null, last_status_code: 200 });
    expect(done.attempts).toEqual([
      {
        attempt: 1,
        started_at: expect.any(String),
        duration_ms: expect.any(Number),
        status_code: 200,
        error: null,
        outcome: "succeeded",
      },
    ]);
  });

  it("sends the payload as given, key order included", async () => {
    const receiver = await createReceiver();
    const payload = { zeta: 1, alpha: { y: 2, b: 3 }, mid: [{ k2: 1, k1: 2 }], a: null };
    const created = await createDelivery(org.apiKey, { endpoint_url: receiver.url, payload });
    const [sent] = await receiver.waitFor(1);
    expect(sent?.body).toBe(JSON.stringify(payload));
    const row = await db().execute<{ text: string }>(
      sql`SELECT payload::text AS text FROM webhook_deliveries WHERE delivery_uuid = ${created.id}`,
    );
    expect(row.rows[0]?.text).toBe(JSON.stringify(payload));
  });

  it("warns with the names of dropped secret headers, never their values", async () => {
    const warn = vi.spyOn(console, "warn");
    const secret = `s-${crypto.randomUUID()}`;
    const body = await createDelivery(org.apiKey, {
      endpoint_url: TARGET,
      custom_headers: [
        { key: "X-Tenant", value: "t1" },
        { key: "X-Auth-Token", value: secret },
        { key: "Cookie", value: secret },
        { key: "X-Dograh-Delivery-Id", value: "spoof" },
      ],
    });
    expect(body.dropped_headers).toEqual(["X-Auth-Token", "Cookie", "X-Dograh-Delivery-Id"]);
    const lines = warn.mock.calls.map((args) => args.map(String).join(" "));
    const events = lines
      .filter((line) => line.includes('"deliveries.secret_headers_dropped"'))
      .map((line) => JSON.parse(line));
    expect(events).toEqual([
      {
        level: "warn",
        event: "deliveries.secret_headers_dropped",
        time: expect.any(String),
        organization_id: org.id,
        dropped: ["X-Auth-Token", "Cookie"],
        hint: "put secrets in a credential",
      },
    ]);
    for (const line of lines) expect(line).not.toContain(secret);

    // No secret header, no warning.
    warn.mockClear();
    await createDelivery(org.apiKey, {
      endpoint_url: TARGET,
      custom_headers: [{ key: "X-Dograh-Attempt", value: "1" }],
    });
    expect(warn.mock.calls.some((args) => String(args[0]).includes("secret_headers"))).toBe(false);
  });

  it("defaults to POST, the configured attempt budget and no dropped headers", async () => {
    const body = await createDelivery(org.apiKey, { endpoint_url: TARGET });
    expect(body).toMatchObject({ http_method: "POST", max_attempts: 5, dropped_headers: [] });
  });

  it("answers 422 naming each invalid field", async () => {
    const res = await call("/v1/deliveries", {
      token: org.apiKey,
      json: { max_attempts: 21, custom_headers: [{ key: 1 }], idempotency_key: "" },
    });
    const problem = expectProblem(res, 422, "validation_failed");
    const fields = problem.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(
      [
        "custom_headers.0.key",
        "custom_headers.0.value",
        "endpoint_url",
        "idempotency_key",
        "max_attempts",
      ].sort(),
    );
  });

  it("answers 422 for max_attempts below 1 or not an integer", async () => {
    for (const max_attempts of [0, 2.5, "3"]) {
      const res = await call("/v1/deliveries", {
        token: org.apiKey,
        json: { endpoint_url: TARGET, max_attempts },
      });
      expect(expectProblem(res, 422).errors[0].field).toBe("max_attempts");
    }
  });

  it("answers 422 for an unknown http_method", async () => {
    const res = await call("/v1/deliveries", {
      token: org.apiKey,
      json: { endpoint_url: TARGET, http_method: "TRACE" },
    });
    expect(expectProblem(res, 422).errors).toEqual([
      { field: "http_method", message: expect.any(String) },
    ]);
  });

  it("answers 422 for an unknown credential_uuid", async () => {
    for (const credential_uuid of [crypto.randomUUID(), "not-a-uuid"]) {
      const res = await call("/v1/deliveries", {
        token: org.apiKey,
        json: { endpoint_url: TARGET, credential_uuid },
      });
      expect(expectProblem(res, 422).errors[0].field).toBe("credential_uuid");
    }
  });

  it("answers 400 for a target that is not an http(s) url", async () => {
    for (const endpoint_url of [
      "ftp://example.com/x",
      "not a url",
      "https://user:pw@example.com/",
    ]) {
      const res = await call("/v1/deliveries", { token: org.apiKey, json: { endpoint_url } });
      expect(expectProblem(res, 400, "invalid_target").errors[0].field).toBe("endpoint_url");
    }
  });

  it("answers 400 for a private-network target unless private networks are allowed", async () => {
    for (const endpoint_url of [
      "http://127.0.0.1:8080/x",
      "http://10.1.2.3/",
      "http://[::1]/",
      "http://169.254.169.254/latest",
    ]) {
      const res = await callWithEnv({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: "false" }, "/v1/deliveries", {
        method: "POST",
        headers: { authorization: `Bearer ${org.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ endpoint_url }),
      });
      expect(res.status, endpoint_url).toBe(400);
      expect(res.body.detail).toContain("WEBHOOK_ALLOW_PRIVATE_NETWORKS");
    }
  });

  it("answers 413 for a payload over 256 KiB", async () => {
    const payload = { blob: "x".repeat(256 * 1024) };
    const res = await call("/v1/deliveries", {
      token: org.apiKey,
      json: { endpoint_url: TARGET, payload },
    });
    expect(expectProblem(res, 413, "payload_too_large").errors[0].field).toBe("payload");
  });

  it("accepts a payload of just under 256 KiB", async () => {
    const payload = "y".repeat(256 * 1024 - 2); // JSON text: the quotes make it exactly 256 KiB
    const body = await createDelivery(org.apiKey, { endpoint_url: TARGET, payload });
    expect(body.status).toBe("pending");
  });

  it("answers 422 when the body and header idempotency keys differ", async () => {
    const res = await call("/v1/deliveries", {
      token: org.apiKey,
      json: { endpoint_url: TARGET, idempotency_key: "a" },
      headers: { "idempotency-key": "b" },
    });
    expect(expectProblem(res, 422).errors[0].field).toBe("idempotency_key");
  });

  it("takes the idempotency key from the Idempotency-Key header", async () => {
    const key = crypto.randomUUID();
    const first = await call("/v1/deliveries", {
      token: org.apiKey,
      json: { endpoint_url: TARGET },
      headers: { "Idempotency-Key": key },
    });
    expect(first.status).toBe(201);
    expect(first.body.idempotency_key).toBe(key);
    const again = await call("/v1/deliveries", {
      token: org.apiKey,
      json: { endpoint_url: TARGET, idempotency_key: key },
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });

  it("lists in dropped_headers what the request just made dropped, replays included", async () => {
    const key = crypto.randomUUID();
    const first = await call("/v1/deliveries", {
      token: org.apiKey,
      json: { endpoint_url: TARGET, custom_headers: [{ key: "Authorization", value: "x" }] },
      headers: { "Idempotency-Key": key },
    });
    expect(first.status).toBe(201);
    expect(first.body.dropped_headers).toEqual(["Authorization"]);
    const replay = await call("/v1/deliveries", {
      token: org.apiKey,
      json: { endpoint_url: TARGET },
      headers: { "Idempotency-Key": key },
    });
    expect(replay.status).toBe(200);
    expect(replay.body.id).toBe(first.body.id);
    expect(replay.body.dropped_headers).toEqual([]);
  });

  it("still answers 201 when the enqueue fails, leaving the delivery due for the sweep", async () => {
    const brokenQueue = {
      send: () => Promise.reject(new Error("queue unavailable")),
      sendBatch: () => Promise.reject(new Error("queue unavailable")),
    };
    const res = await callWithEnv({ WEBHOOK_TASKS: brokenQueue }, "/v1/deliveries", {
      method: "POST",
      headers: { authorization: `Bearer ${org.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ endpoint_url: TARGET }),
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "pending", attempt_count: 0 });
    expect(Date.parse(res.body.scheduled_for)).toBeLessThanOrEqual(Date.now());
  });

  it("scopes idempotency keys to the organization", async () => {
    const other = await newOrganization();
    const key = crypto.randomUUID();
    const mine = await createDelivery(org.apiKey, { endpoint_url: TARGET, idempotency_key: key });
    const theirs = await createDelivery(other.apiKey, {
      endpoint_url: TARGET,
      idempotency_key: key,
    });
    expect(theirs.id).not.toBe(mine.id);
  });
});

describe("GET /v1/deliveries/{id}", () => {
  it("answers 404 for an unknown or non-uuid id", async () => {
    for (const id of [crypto.randomUUID(), "123", "not-a-uuid"]) {
      expectProblem(await call(`/v1/deliveries/${id}`, { token: org.apiKey }), 404, "not_found");
    }
  });

  it("finds a delivery by its id in any letter case", async () => {
    const created = await createDelivery(org.apiKey, { endpoint_url: TARGET });
    const res = await call(`/v1/deliveries/${created.id.toUpperCase()}`, { token: org.apiKey });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(created.id);
  });
});

describe("GET /v1/deliveries", () => {
  it("pages newest first with an opaque cursor", async () => {
    const own = await newOrganization();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await createDelivery(own.apiKey, { endpoint_url: TARGET })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : "?limit=2";
      const res = await call(`/v1/deliveries${query}`, { token: own.apiKey });
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((d: { id: string }) => d.id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it("defaults to 20 per page, newest first, and filters by status and run", async () => {
    const own = await newOrganization();
    // Rows written directly and not due, so no send can change their status under the test.
    const later = new Date(Date.now() + 3_600_000);
    const rows = [];
    for (let i = 0; i < 21; i++) {
      rows.push(await insertDelivery(own.id, { endpoint_url: TARGET, scheduled_for: later }));
    }
    const dead = await insertDelivery(own.id, {
      endpoint_url: TARGET,
      status: "dead_letter",
      scheduled_for: null,
    });
    const newestFirst = [dead, ...rows.reverse()].map((r) => r.delivery_uuid);

    const first = await call("/v1/deliveries", { token: own.apiKey });
    expect(first.body.data.map((d: { id: string }) => d.id)).toEqual(newestFirst.slice(0, 20));
    expect(first.body.data[0].attempts).toBeUndefined();
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await call(`/v1/deliveries?cursor=${first.body.next_cursor}`, {
      token: own.apiKey,
    });
    expect(second.body).toEqual({
      data: newestFirst.slice(20).map((id) => expect.objectContaining({ id })),
      next_cursor: null,
    });

    const pending = await call("/v1/deliveries?status=pending&limit=100", { token: own.apiKey });
    expect(pending.body.data).toHaveLength(21);
    const deadOnly = await call("/v1/deliveries?status=dead_letter", { token: own.apiKey });
    expect(deadOnly.body.data.map((d: { id: string }) => d.id)).toEqual([dead.delivery_uuid]);
    const byRun = await call("/v1/deliveries?workflow_run_id=2147483000", { token: own.apiKey });
    expect(byRun.body.data).toEqual([]);
  });

  it("answers 422 for a bad status, limit, run id or cursor", async () => {
    const bad: [string, string][] = [
      ["status=done", "status"],
      ["limit=101", "limit"],
      ["limit=0", "limit"],
      ["limit=ten", "limit"],
      ["workflow_run_id=abc", "workflow_run_id"],
      ["cursor=%%%", "cursor"],
      ["cursor=bm90LWFuLWlk", "cursor"],
    ];
    for (const [query, field] of bad) {
      const res = await call(`/v1/deliveries?${query}`, { token: org.apiKey });
      expect(expectProblem(res, 422).errors[0].field, query).toBe(field);
    }
  });

  it("allows limit 100", async () => {
    expect((await call("/v1/deliveries?limit=100", { token: org.apiKey })).status).toBe(200);
  });
});
