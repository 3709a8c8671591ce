import { NeonDbError } from "@neondatabase/serverless";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { hashApiKey } from "../../src/auth/api-key";
import { isDatabaseUnavailable } from "../../src/routes/app";
import { clearFaults, injectFault } from "../helpers/endpoint";
import { createReceiver } from "../helpers/receiver";
import { call, callWithEnv, expectProblem, newOrganization } from "./client";

let org: { id: number; apiKey: string };
let target: string;

beforeAll(async () => {
  org = await newOrganization();
  target = (await createReceiver()).url;
});

afterEach(async () => {
  vi.restoreAllMocks();
  await clearFaults();
});

describe("errors", () => {
  it("answers 404 problem+json for an unknown path", async () => {
    const res = await call("/v1/nothing-here", { token: org.apiKey });
    expectProblem(res, 404, "not_found");
    expectProblem(await call("/"), 404, "not_found");
  });

  it("answers 405 with Allow for a known path and another method", async () => {
    const cases: [string, string, string][] = [
      ["/v1/deliveries", "PATCH", "GET, HEAD, POST"],
      ["/v1/deliveries/8a6e0804-2bd0-4672-b79d-d97027f9071a", "DELETE", "GET, HEAD"],
      ["/v1/deliveries/8a6e0804-2bd0-4672-b79d-d97027f9071a/retry", "GET", "POST"],
      ["/v1/credentials/8a6e0804-2bd0-4672-b79d-d97027f9071a", "POST", "DELETE, GET, HEAD, PUT"],
      ["/v1/signing-secret", "DELETE", "GET, HEAD"],
      ["/healthz", "POST", "GET, HEAD"],
      ["/v1/admin/organizations", "GET", "POST"],
    ];
    for (const [path, method, allow] of cases) {
      const res = await call(path, { method, token: org.apiKey });
      expectProblem(res, 405, "method_not_allowed");
      expect(res.headers.get("allow"), `${method} ${path}`).toBe(allow);
    }
  });

  it("answers 400 for malformed JSON", async () => {
    const res = await call("/v1/deliveries", {
      token: org.apiKey,
      body: '{"endpoint_url": ',
      headers: { "content-type": "application/json" },
    });
    expectProblem(res, 400, "malformed_json");
  });

  it("answers 422 for a JSON body that is not an object", async () => {
    const res = await call("/v1/deliveries", { token: org.apiKey, json: [1, 2] });
    expectProblem(res, 422, "validation_failed");
  });

  it("accepts a JSON body whatever its content-type says", async () => {
    for (const contentType of [undefined, "text/plain", "application/x-www-form-urlencoded"]) {
      const res = await call("/v1/deliveries", {
        token: org.apiKey,
        body: JSON.stringify({ endpoint_url: target }),
        headers: contentType ? { "content-type": contentType } : {},
      });
      expect(res.status, String(contentType)).toBe(201);
    }
  });

  it("answers 415 for a non-JSON body declared as another media type", async () => {
    const res = await call("/v1/deliveries", {
      token: org.apiKey,
      body: "endpoint_url=https%3A%2F%2Fexample.com",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expectProblem(res, 415, "unsupported_media_type");
  });

  it("answers 422 listing the required fields for an empty body", async () => {
    const res = await call("/v1/deliveries", { token: org.apiKey, method: "POST" });
    expect(expectProblem(res, 422).errors).toEqual([
      { field: "endpoint_url", message: "is required" },
    ]);
  });

  it("answers 413 for a body over 1 MiB", async () => {
    const body = JSON.stringify({ endpoint_url: target, payload: "z".repeat(1024 * 1024) });
    const res = await call("/v1/deliveries", {
      token: org.apiKey,
      body,
      headers: { "content-type": "application/json" },
    });
    expectProblem(res, 413, "payload_too_large");
  });

  it("answers 413 for a streamed body over 1 MiB without a content-length", async () => {
    const chunk = new TextEncoder().encode("a".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 20) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const res = await callWithEnv({}, "/v1/workflows", {
      method: "POST",
      headers: { authorization: `Bearer ${org.apiKey}`, "content-type": "application/json" },
      body: stream,
      // @ts-expect-error workerd wants duplex for a streamed request body
      duplex: "half",
    });
    expect(res.status).toBe(413);
  });

  it("answers 500 without internals for an unexpected database error", async () => {
    const own = await newOrganization();
    await injectFault({
      match: "FROM external_credentials",
      params: [String(own.id)],
      pgError: { code: "XX000", message: "secret internal detail" },
    });
    const res = await call("/v1/credentials", { token: own.apiKey });
    expectProblem(res, 500, "internal_error");
    expect(res.text).not.toContain("secret internal detail");
    expect(res.text).not.toContain("external_credentials");
  });

  it("answers 503 with Retry-After when the database endpoint answers 5xx", async () => {
    const own = await newOrganization();
    const keyHash = await hashApiKey(own.apiKey);
    const errors = vi.spyOn(console, "error");
    for (const status of [503, 500]) {
      // Only this test's key: the authentication query of its requests, and nobody else's.
      await injectFault({ match: "FROM api_keys", params: [keyHash], status });
      const res = await call("/v1/credentials", { token: own.apiKey });
      const problem = expectProblem(res, 503, "database_unavailable");
      expect(res.headers.get("retry-after")).toBe("5");
      expect(problem.detail).not.toContain("api_keys");
    }
    const logged = errors.mock.calls.map((args) => String(args[0]));
    expect(logged.filter((line) => line.includes('"http.database_unavailable"'))).toHaveLength(2);
    expect(logged.some((line) => line.includes("http.unhandled"))).toBe(false);
    // Once the endpoint answers again, so does the API.
    expect((await call("/v1/credentials", { token: own.apiKey })).status).toBe(200);
  });

  it("answers 500, not 503, when the database endpoint refuses a request with a 4xx", async () => {
    const own = await newOrganization();
    await injectFault({
      match: "FROM api_keys",
      params: [await hashApiKey(own.apiKey)],
      status: 403,
    });
    const res = await call("/v1/credentials", { token: own.apiKey });
    expectProblem(res, 500, "internal_error");
    expect(res.headers.get("retry-after")).toBeNull();
  });

  it("tells an unreachable database from other errors, along the cause chain", () => {
    const wrapped = (cause: unknown) => new Error("Failed query: select 1", { cause });
    const unreachable = new NeonDbError("Error connecting to database: TypeError: fetch failed");
    const serverError = new NeonDbError(
      'Server error (HTTP status 502): {"message":"bad gateway"}',
    );
    expect(isDatabaseUnavailable(unreachable)).toBe(true);
    expect(isDatabaseUnavailable(wrapped(unreachable))).toBe(true);
    expect(isDatabaseUnavailable(wrapped(wrapped(serverError)))).toBe(true);
    for (const other of [
      new NeonDbError('relation "x" does not exist'),
      new NeonDbError("Server error (HTTP status 404): not found"),
      wrapped(new Error("Error connecting to database: not from the driver")),
      new Error("Server error (HTTP status 503)"),
      "Error connecting to database",
      null,
    ]) {
      expect(isDatabaseUnavailable(other), String(other)).toBe(false);
    }
  });

  it("answers 500 naming the variable when the configuration is invalid", async () => {
    const res = await callWithEnv({ WEBHOOK_DELIVERY_MAX_ATTEMPTS: "lots" }, "/v1/deliveries", {
      headers: { authorization: `Bearer ${org.apiKey}` },
    });
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ code: "misconfigured" });
    expect(res.body.detail).toContain("WEBHOOK_DELIVERY_MAX_ATTEMPTS");
  });

  it("refuses to store a secret without a usable encryption key", async () => {
    for (const key of [undefined, "too-short"]) {
      const res = await callWithEnv({ CREDENTIALS_ENCRYPTION_KEY: key }, "/v1/credentials", {
        method: "POST",
        headers: { authorization: `Bearer ${org.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({
          name: "x",
          credential_type: "bearer_token",
          credential_data: { token: "t" },
        }),
      });
      expect(res.status).toBe(500);
      expect(res.body.detail).toContain("CREDENTIALS_ENCRYPTION_KEY");
      expect(res.body.detail).not.toContain("too-short");
    }
    // Nothing was stored.
    const list = await call("/v1/credentials", { token: org.apiKey });
    expect(list.body.data.filter((c: { name: string }) => c.name === "x")).toEqual([]);
  });
});
