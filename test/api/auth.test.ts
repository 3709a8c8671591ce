import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, call, callWithEnv, expectProblem, newOrganization } from "./client";

let org: { id: number; apiKey: string };

beforeAll(async () => {
  org = await newOrganization();
});

describe("api keys", () => {
  it("accepts the key the organization was created with", async () => {
    const res = await call("/v1/credentials", { token: org.apiKey });
    expect(res.status).toBe(200);
    expect(org.apiKey).toMatch(/^whk_[A-Za-z0-9_-]{32}$/);
  });

  it("answers 401 with a bearer challenge when the key is missing", async () => {
    const res = await call("/v1/deliveries");
    expectProblem(res, 401, "unauthorized");
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("answers 401 for a malformed authorization header", async () => {
    for (const header of ["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", org.apiKey]) {
      const res = await call("/v1/deliveries", { headers: { authorization: header } });
      expectProblem(res, 401, "unauthorized");
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
  });

  it("answers 401 for an unknown key", async () => {
    const res = await call("/v1/deliveries", { token: `whk_${"x".repeat(32)}` });
    expectProblem(res, 401, "unauthorized");
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("accepts the scheme name in any case", async () => {
    const res = await call("/v1/credentials", {
      headers: { authorization: `bearer ${org.apiKey}` },
    });
    expect(res.status).toBe(200);
  });

  it("adds a key to an organization and revokes it by prefix", async () => {
    const created = await call(`/v1/admin/organizations/${org.id}/api-keys`, {
      token: ADMIN_TOKEN,
      json: { name: "ci" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "ci",
      key_prefix: created.body.api_key.slice(0, 12),
    });
    const key = created.body.api_key as string;
    expect((await call("/v1/credentials", { token: key })).status).toBe(200);

    const revoked = await call(`/v1/admin/api-keys/${created.body.key_prefix}`, {
      method: "DELETE",
      token: ADMIN_TOKEN,
    });
    expect(revoked.status).toBe(204);
    expectProblem(await call("/v1/credentials", { token: key }), 401, "unauthorized");
    // The organization's other key still works.
    expect((await call("/v1/credentials", { token: org.apiKey })).status).toBe(200);
  });

  it("revokes a key by id, idempotently", async () => {
    const created = await call(`/v1/admin/organizations/${org.id}/api-keys`, {
      token: ADMIN_TOKEN,
      json: {},
    });
    expect(created.status).toBe(201);
    const path = `/v1/admin/api-keys/${created.body.id}`;
    expect((await call(path, { method: "DELETE", token: ADMIN_TOKEN })).status).toBe(204);
    expect((await call(path, { method: "DELETE", token: ADMIN_TOKEN })).status).toBe(204);
    expectProblem(await call("/v1/deliveries", { token: created.body.api_key }), 401);
  });

  it("answers 404 when revoking or adding keys for what does not exist", async () => {
    expectProblem(
      await call("/v1/admin/api-keys/whk_nothere00", { method: "DELETE", token: ADMIN_TOKEN }),
      404,
    );
    expectProblem(
      await call("/v1/admin/api-keys/2147483000", { method: "DELETE", token: ADMIN_TOKEN }),
      404,
    );
    expectProblem(
      await call("/v1/admin/organizations/2147483000/api-keys", { token: ADMIN_TOKEN, json: {} }),
      404,
    );
  });
});

describe("admin token", () => {
  it("refuses admin endpoints without the admin token", async () => {
    const res = await call("/v1/admin/organizations", { json: { name: "x" } });
    expectProblem(res, 401, "unauthorized");
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("refuses an organization's api key on admin endpoints", async () => {
    expectProblem(await call("/v1/admin/queue-rejections", { token: org.apiKey }), 401);
  });

  it("refuses a wrong admin token", async () => {
    expectProblem(await call("/v1/admin/queue-rejections", { token: `${ADMIN_TOKEN}x` }), 401);
  });

  it("is disabled, never open, when ADMIN_TOKEN is unset", async () => {
    for (const token of [undefined, "", "anything"]) {
      const res = await callWithEnv({ ADMIN_TOKEN: undefined }, "/v1/admin/organizations", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ name: "x" }),
      });
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: "admin_disabled" });
      expect(res.body.detail).toContain("ADMIN_TOKEN");
    }
  });

  it("creates an organization with a key shown once", async () => {
    const res = await call("/v1/admin/organizations", {
      token: ADMIN_TOKEN,
      json: { name: "Acme" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.any(Number), name: "Acme" });
    expect(res.body.api_key).toMatch(/^whk_/);
  });

  it("validates the organization name", async () => {
    const res = await call("/v1/admin/organizations", { token: ADMIN_TOKEN, json: { name: "" } });
    const problem = expectProblem(res, 422, "validation_failed");
    expect(problem.errors).toEqual([{ field: "name", message: expect.any(String) }]);
    const missing = await call("/v1/admin/organizations", { token: ADMIN_TOKEN, json: {} });
    expect(expectProblem(missing, 422).errors[0]).toEqual({
      field: "name",
      message: "is required",
    });
  });
});
