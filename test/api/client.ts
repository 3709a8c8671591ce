/** A small client for the API tests: requests go through the Worker's own fetch handler. */
import { exports } from "cloudflare:workers";
import { expect } from "vitest";

export const ADMIN_TOKEN = "test-admin-token";

export interface Call {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test responses are inspected field by field
  body: any;
  text: string;
}

interface Options {
  method?: string;
  /** Bearer token; omitted means no Authorization header. */
  token?: string;
  /** A JSON body (serialised with Content-Type: application/json) ... */
  json?: unknown;
  /** ... or a raw body sent as is. */
  body?: BodyInit;
  headers?: Record<string, string>;
}

/** Calls the API and reads the response (JSON when it is JSON). */
export async function call(path: string, options: Options = {}): Promise<Call> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body = options.body;
  if (options.json !== undefined) {
    headers["content-type"] ??= "application/json";
    body = JSON.stringify(options.json);
  }
  const res = await exports.default.fetch(`http://localhost${path}`, {
    method: options.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    body,
  });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text === "" ? null : JSON.parse(text);
  } catch {
    parsed = null;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** A fresh organization through the admin API: its id and API key. */
export async function newOrganization(name = `org-${crypto.randomUUID()}`) {
  const res = await call("/v1/admin/organizations", { token: ADMIN_TOKEN, json: { name } });
  expect(res.status).toBe(201);
  return { id: res.body.id as number, apiKey: res.body.api_key as string };
}

/** Asserts an RFC 9457 problem with this status (and code, when given); returns its body. */
export function expectProblem(res: Call, status: number, code?: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  expect(typeof res.body.detail).toBe("string");
  if (code) expect(res.body.code).toBe(code);
  return res.body;
}

/** Creates a delivery and returns the response body (expects 201). */
export async function createDelivery(token: string, json: Record<string, unknown>) {
  const res = await call("/v1/deliveries", { token, json });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

/**
 * Calls a fresh app directly with the test bindings overridden (hono's `app.fetch(req, env)`),
 * for configurations the shared Worker does not have (admin disabled, private targets refused).
 */
export async function callWithEnv(
  overrides: Record<string, unknown>,
  path: string,
  init: RequestInit = {},
): Promise<Call> {
  const { createApp } = await import("../../src/routes/app");
  const { env } = await import("cloudflare:workers");
  const { createExecutionContext } = await import("cloudflare:test");
  const patched = { ...env, ...overrides } as Env;
  const res = await createApp().fetch(
    new Request(`http://localhost${path}`, init),
    patched,
    createExecutionContext(),
  );
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    body = null;
  }
  return { status: res.status, headers: res.headers, body, text };
}
