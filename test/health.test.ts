import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("GET /healthz", () => {
  it("answers ok with a real database round trip", async () => {
    const res = await exports.default.fetch("http://localhost/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, database: "up" });
  });
});

describe("GET /healthz with a bad configuration", () => {
  it("answers 503 naming the variable", async () => {
    const { env } = await import("cloudflare:workers");
    const { createApp } = await import("../src/routes/app");
    const res = await createApp().request(
      "/healthz",
      {},
      { ...env, WEBHOOK_DELIVERY_MAX_ATTEMPTS: "abc" },
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      ok: false,
      database: "unknown",
      error: 'WEBHOOK_DELIVERY_MAX_ATTEMPTS must be an integer, got "abc"',
    });
  });
});
