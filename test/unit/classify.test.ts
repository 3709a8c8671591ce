import { describe, expect, it } from "vitest";
import { classifyAttempt, type SendResult } from "../../src/delivery/classify";

const cfg = { baseDelaySeconds: 30, maxDelaySeconds: 600 };
const NOW = new Date("2026-07-02T16:14:14Z");
const noJitter = () => 0.5;

const response = (status: number, retryAfter: string | null = null): SendResult => ({
  kind: "response",
  status,
  retryAfter,
});
const classify = (result: SendResult, attempt = 1, maxAttempts = 5) =>
  classifyAttempt(result, attempt, maxAttempts, cfg, NOW, noJitter);

describe("classifyAttempt", () => {
  it("treats every 2xx as success", () => {
    for (const status of [200, 201, 202, 204, 299]) {
      expect(classify(response(status)), String(status)).toEqual({ kind: "succeeded" });
    }
  });

  it("retries 408, 425, 429, 500, 502, 503 and 504 with the backoff delay", () => {
    for (const status of [408, 425, 429, 500, 502, 503, 504]) {
      expect(classify(response(status), 2), String(status)).toEqual({
        kind: "retry",
        delaySeconds: 60,
        reason: `HTTP ${status}`,
      });
    }
  });

  it("retries network errors", () => {
    expect(classify({ kind: "network_error", error: "TimeoutError (no message)" }, 3)).toEqual({
      kind: "retry",
      delaySeconds: 120,
      reason: "network error: TimeoutError (no message)",
    });
  });

  it("dead-letters redirects, other 4xx, 501, 505 and 1xx at once", () => {
    for (const status of [
      101, 301, 302, 304, 307, 308, 400, 401, 403, 404, 409, 410, 422, 501, 505,
    ]) {
      expect(classify(response(status), 1), String(status)).toEqual({
        kind: "dead_letter",
        reason: `HTTP ${status} (not retryable)`,
      });
    }
  });

  it("dead-letters a transient failure once attempts are exhausted", () => {
    expect(classify(response(503), 5, 5)).toEqual({
      kind: "dead_letter",
      reason: "attempts exhausted after HTTP 503",
    });
    expect(classify({ kind: "network_error", error: "reset" }, 1, 1)).toEqual({
      kind: "dead_letter",
      reason: "attempts exhausted after network error: reset",
    });
    expect(classify(response(503), 4, 5).kind).toBe("retry");
  });

  it("honours a longer retry-after on 429 and 503, capped at the max delay", () => {
    expect(classify(response(429, "300"))).toMatchObject({ kind: "retry", delaySeconds: 300 });
    expect(classify(response(503, "Thu, 02 Jul 2026 16:19:14 GMT"))).toMatchObject({
      delaySeconds: 300,
    });
    expect(classify(response(503, "99999"))).toMatchObject({ delaySeconds: 600 });
  });

  it("ignores retry-after on other statuses and when shorter or malformed", () => {
    expect(classify(response(500, "300"))).toMatchObject({ delaySeconds: 30 });
    expect(classify(response(429, "1"))).toMatchObject({ delaySeconds: 30 });
    expect(classify(response(429, "later"))).toMatchObject({ delaySeconds: 30 });
  });
});
