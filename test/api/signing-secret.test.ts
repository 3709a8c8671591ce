import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { verifyWebhook } from "../../src/delivery/signing";
import { db } from "../helpers/fixtures";
import { createReceiver, type Recorded } from "../helpers/receiver";
import { call, createDelivery, expectProblem, newOrganization } from "./client";

function verify(secret: string, request: Recorded | undefined): Promise<boolean> {
  if (!request) throw new Error("no request");
  return verifyWebhook(
    secret,
    request.headers["webhook-id"] ?? "",
    Number(request.headers["webhook-timestamp"]),
    request.body,
    request.headers["webhook-signature"] ?? "",
    { now: new Date() },
  );
}

describe("signing secret", () => {
  it("signs deliveries of a new organization from the first one", async () => {
    const org = await newOrganization();
    const receiver = await createReceiver();
    const created = await createDelivery(org.apiKey, {
      endpoint_url: receiver.url,
      payload: { hello: "world" },
    });
    const secret = await call("/v1/signing-secret", { token: org.apiKey });
    expect(secret.status).toBe(200);
    expect(secret.body).toEqual({ secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/=]+$/) });
    // Stable across reads.
    expect((await call("/v1/signing-secret", { token: org.apiKey })).body).toEqual(secret.body);

    const [sent] = await receiver.waitFor(1);
    expect(sent?.headers["webhook-id"]).toBe(created.id);
    expect(sent?.headers["webhook-timestamp"]).toMatch(/^\d+$/);
    expect(await verify(secret.body.secret, sent)).toBe(true);
    expect(await verify("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", sent)).toBe(false);
  });

  it("keeps the old secret signing alongside the new one after a rotation", async () => {
    const org = await newOrganization();
    const old = (await call("/v1/signing-secret", { token: org.apiKey })).body.secret as string;
    const rotated = await call("/v1/signing-secret/rotate", { method: "POST", token: org.apiKey });
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.secret as string;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(old);
    expect((await call("/v1/signing-secret", { token: org.apiKey })).body.secret).toBe(fresh);

    const receiver = await createReceiver();
    await createDelivery(org.apiKey, { endpoint_url: receiver.url, payload: [1, 2, 3] });
    const [sent] = await receiver.waitFor(1);
    expect(sent?.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    expect(await verify(fresh, sent)).toBe(true);
    expect(await verify(old, sent)).toBe(true);

    const expiry = await db().execute<{ hours: number }>(sql`
      SELECT round(extract(epoch FROM expires_at - now()) / 3600)::int AS hours
        FROM signing_secrets WHERE organization_id = ${org.id} AND expires_at IS NOT NULL`);
    expect(expiry.rows).toEqual([{ hours: 24 }]);
  });

  it("creates a secret on first read for an organization without one", async () => {
    const org = await newOrganization();
    await db().execute(sql`DELETE FROM signing_secrets WHERE organization_id = ${org.id}`);
    const reads = await Promise.all(
      [1, 2, 3].map(() => call("/v1/signing-secret", { token: org.apiKey })),
    );
    const secrets = new Set(reads.map((r) => r.body.secret));
    expect(secrets.size).toBe(1);
    const rows = await db().execute(
      sql`SELECT id FROM signing_secrets WHERE organization_id = ${org.id}`,
    );
    expect(rows.rows).toHaveLength(1);
  });

  it("stores secrets and api keys only encrypted or hashed", async () => {
    const org = await newOrganization();
    const secret = (await call("/v1/signing-secret", { token: org.apiKey })).body.secret as string;
    const rotated = (await call("/v1/signing-secret/rotate", { method: "POST", token: org.apiKey }))
      .body.secret as string;
    const secrets = await db().execute(
      sql`SELECT secret::text AS secret FROM signing_secrets WHERE organization_id = ${org.id}`,
    );
    const keys = await db().execute(sql`SELECT * FROM api_keys WHERE organization_id = ${org.id}`);
    const raw = JSON.stringify([secrets.rows, keys.rows]);
    for (const text of [
      secret,
      rotated,
      secret.slice(6),
      rotated.slice(6),
      org.apiKey,
      org.apiKey.slice(4),
    ]) {
      expect(raw).not.toContain(text);
    }
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(org.apiKey));
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect(keys.rows[0]).toMatchObject({ key_hash: hex, key_prefix: org.apiKey.slice(0, 12) });
  });

  it("answers 401 without a key", async () => {
    expectProblem(await call("/v1/signing-secret"), 401);
    expectProblem(await call("/v1/signing-secret/rotate", { method: "POST" }), 401);
  });
});
