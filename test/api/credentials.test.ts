import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { deliveryObject } from "../../src/queues/tasks/deliver-webhook";
import { db } from "../helpers/fixtures";
import { createReceiver } from "../helpers/receiver";
import { waitUntil } from "../helpers/wait";
import { call, createDelivery, expectProblem, newOrganization } from "./client";

let org: { id: number; apiKey: string };

beforeAll(async () => {
  org = await newOrganization();
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function createCredential(body: Record<string, unknown>, token = org.apiKey) {
  const res = await call("/v1/credentials", { token, json: body });
  expect(res.status, res.text).toBe(201);
  return res;
}

async function rowOf(deliveryUuid: string) {
  const result = await db().execute<{ id: number; status: string; attempt_count: number }>(
    sql`SELECT id, status::text AS status, attempt_count FROM webhook_deliveries WHERE delivery_uuid = ${deliveryUuid}`,
  );
  const row = result.rows[0];
  if (!row) throw new Error(`no delivery ${deliveryUuid}`);
  return row;
}

describe("credentials", () => {
  it("stores a credential and never returns or stores its secret in plaintext", async () => {
    const token = `tok-${crypto.randomUUID()}`;
    const created = await createCredential({
      name: "crm",
      credential_type: "bearer_token",
      credential_data: { token },
    });
    expect(created.body).toEqual({
      credential_uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: "crm",
      credential_type: "bearer_token",
      is_active: true,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const uuid = created.body.credential_uuid;
    const list = await call("/v1/credentials", { token: org.apiKey });
    const one = await call(`/v1/credentials/${uuid}`, { token: org.apiKey });
    expect(one.body).toEqual(created.body);
    expect(list.body.data).toContainEqual(created.body);
    for (const res of [created, list, one]) expect(res.text).not.toContain(token);

    const raw = await db().execute(
      sql`SELECT credential_data::text AS data FROM external_credentials WHERE credential_uuid = ${uuid}`,
    );
    const stored = String(raw.rows[0]?.data);
    expect(stored).not.toContain(token);
    expect(JSON.parse(stored)).toMatchObject({ v: 1, alg: "A256GCM" });
  });

  it("answers 422 naming the field for a bad type or bad data", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "x", credential_type: "oauth", credential_data: {} }, "credential_type"],
      [
        { name: "x", credential_type: "bearer_token", credential_data: {} },
        "credential_data.token",
      ],
      [
        {
          name: "x",
          credential_type: "basic_auth",
          credential_data: { username: "a:b", password: "p" },
        },
        "credential_data.username",
      ],
      [
        {
          name: "x",
          credential_type: "api_key",
          credential_data: { api_key: "k", header_name: "bad name" },
        },
        "credential_data.header_name",
      ],
      [
        {
          name: "x",
          credential_type: "custom_header",
          credential_data: { header_value: "a\r\nb" },
        },
        "credential_data.header_value",
      ],
      [{ name: "x", credential_type: "bearer_token", credential_data: "tok" }, "credential_data"],
      [{ credential_type: "none" }, "name"],
    ];
    for (const [body, field] of cases) {
      const res = await call("/v1/credentials", { token: org.apiKey, json: body });
      expect(expectProblem(res, 422).errors[0].field, JSON.stringify(body)).toBe(field);
    }
  });

  it("accepts every credential type of the reference", async () => {
    const bodies = [
      { credential_type: "bearer_token", credential_data: { token: "t" } },
      { credential_type: "api_key", credential_data: { api_key: "k" } },
      { credential_type: "basic_auth", credential_data: { username: "u", password: "p" } },
      {
        credential_type: "custom_header",
        credential_data: { header_name: "X-Sig", header_value: "v" },
      },
      { credential_type: "none" },
    ];
    for (const body of bodies) await createCredential({ name: body.credential_type, ...body });
  });

  it("answers 404 for an unknown credential on get, put and delete", async () => {
    for (const uuid of [crypto.randomUUID(), "nope"]) {
      const path = `/v1/credentials/${uuid}`;
      expectProblem(await call(path, { token: org.apiKey }), 404, "not_found");
      expectProblem(
        await call(path, {
          method: "PUT",
          token: org.apiKey,
          json: { credential_data: { token: "t" } },
        }),
        404,
      );
      expectProblem(await call(path, { method: "DELETE", token: org.apiKey }), 404);
    }
  });

  it("rotates data, name and type, bumping updated_at", async () => {
    const created = await createCredential({
      name: "a",
      credential_type: "bearer_token",
      credential_data: { token: "one" },
    });
    const uuid = created.body.credential_uuid;
    const rotated = await call(`/v1/credentials/${uuid}`, {
      method: "PUT",
      token: org.apiKey,
      json: { name: "b", credential_type: "api_key", credential_data: { api_key: "two" } },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({
      credential_uuid: uuid,
      name: "b",
      credential_type: "api_key",
    });
    expect(rotated.body.updated_at > created.body.updated_at).toBe(true);
    expect(rotated.text).not.toContain("two");
    const invalid = await call(`/v1/credentials/${uuid}`, {
      method: "PUT",
      token: org.apiKey,
      json: { credential_data: { token: "for the wrong type" } },
    });
    expect(expectProblem(invalid, 422).errors[0].field).toBe("credential_data.api_key");
    const missing = await call(`/v1/credentials/${uuid}`, {
      method: "PUT",
      token: org.apiKey,
      json: {},
    });
    expect(expectProblem(missing, 422).errors[0].field).toBe("credential_data");
  });

  it("sends the rotated secret on the next attempt", async () => {
    const logs = [vi.spyOn(console, "log"), vi.spyOn(console, "warn"), vi.spyOn(console, "error")];
    const oldSecret = `old-${crypto.randomUUID()}`;
    const newSecret = `new-${crypto.randomUUID()}`;
    const credential = await createCredential({
      name: "rotating",
      credential_type: "bearer_token",
      credential_data: { token: oldSecret },
    });
    const receiver = await createReceiver([{ status: 503 }, { status: 200 }]);
    const delivery = await createDelivery(org.apiKey, {
      endpoint_url: receiver.url,
      credential_uuid: credential.body.credential_uuid,
    });
    const [first] = await receiver.waitFor(1);
    expect(first?.headers.authorization).toBe(`Bearer ${oldSecret}`);
    const row = await waitUntil(async () => {
      const r = await rowOf(delivery.id);
      return r.attempt_count === 1 && r.status === "pending" ? r : null;
    });

    const put = await call(`/v1/credentials/${credential.body.credential_uuid}`, {
      method: "PUT",
      token: org.apiKey,
      json: { credential_data: { token: newSecret } },
    });
    expect(put.status).toBe(200);

    // Fake the passage of time: make the retry due, then run the delivery's alarm.
    await db().execute(
      sql`UPDATE webhook_deliveries SET scheduled_for = now() - interval '1 second' WHERE id = ${row.id}`,
    );
    expect(await runDurableObjectAlarm(deliveryObject(env, { id: row.id }))).toBe(true);
    const [, second] = await receiver.waitFor(2);
    expect(second?.headers.authorization).toBe(`Bearer ${newSecret}`);
    expect(second?.headers["x-dograh-delivery-attempt"]).toBe("2");

    const lines = logs.flatMap((spy) => spy.mock.calls.map((args) => args.map(String).join(" ")));
    expect(lines.some((line) => line.includes("delivery.request"))).toBe(true);
    for (const line of lines) {
      expect(line).not.toContain(oldSecret);
      expect(line).not.toContain(newSecret);
      expect(line).not.toContain(org.apiKey);
    }
  });

  it("deactivates a credential: listed as inactive, refused for new deliveries, not sent", async () => {
    const secret = `s-${crypto.randomUUID()}`;
    const credential = await createCredential({
      name: "old",
      credential_type: "custom_header",
      credential_data: { header_name: "X-Signature-Key", header_value: secret },
    });
    const uuid = credential.body.credential_uuid;
    const receiver = await createReceiver([{ status: 503 }, { status: 200 }]);
    const delivery = await createDelivery(org.apiKey, {
      endpoint_url: receiver.url,
      credential_uuid: uuid,
    });
    const [first] = await receiver.waitFor(1);
    expect(first?.headers["x-signature-key"]).toBe(secret);
    const row = await waitUntil(async () => {
      const r = await rowOf(delivery.id);
      return r.attempt_count === 1 && r.status === "pending" ? r : null;
    });

    const removed = await call(`/v1/credentials/${uuid}`, { method: "DELETE", token: org.apiKey });
    expect(removed.status).toBe(204);
    expect(removed.text).toBe("");
    expect((await call(`/v1/credentials/${uuid}`, { token: org.apiKey })).body.is_active).toBe(
      false,
    );
    expect(
      (await call(`/v1/credentials/${uuid}`, { method: "DELETE", token: org.apiKey })).status,
    ).toBe(204);

    const refused = await call("/v1/deliveries", {
      token: org.apiKey,
      json: { endpoint_url: receiver.url, credential_uuid: uuid },
    });
    expect(expectProblem(refused, 422).errors[0].field).toBe("credential_uuid");

    await db().execute(
      sql`UPDATE webhook_deliveries SET scheduled_for = now() - interval '1 second' WHERE id = ${row.id}`,
    );
    await runDurableObjectAlarm(deliveryObject(env, { id: row.id }));
    const [, second] = await receiver.waitFor(2);
    expect(second?.headers["x-signature-key"]).toBeUndefined();
  });

  it("refuses another organization's credential on a new delivery", async () => {
    const other = await newOrganization();
    const theirs = await createCredential(
      { name: "theirs", credential_type: "bearer_token", credential_data: { token: "t" } },
      other.apiKey,
    );
    const res = await call("/v1/deliveries", {
      token: org.apiKey,
      json: { endpoint_url: "https://example.com/", credential_uuid: theirs.body.credential_uuid },
    });
    expect(expectProblem(res, 422).errors[0].field).toBe("credential_uuid");
  });
});
