import { describe, expect, it } from "vitest";
import {
  nextDelaySeconds,
  parseHttpDate,
  parseRetryAfter,
  retryDelaySeconds,
} from "../../src/delivery/backoff";

const cfg = { baseDelaySeconds: 30, maxDelaySeconds: 600 };
const middle = () => 0.5; // no jitter
const lowest = () => 0; // -20%
const highest = () => 0.999999; // just under +20%
const NOW = new Date("2026-07-02T16:14:14Z");

describe("retryDelaySeconds", () => {
  it("doubles from the base delay and caps at the max (reference numbers)", () => {
    const delays = [1, 2, 3, 4, 5, 6, 10].map((n) => retryDelaySeconds(n, cfg, middle));
    expect(delays).toEqual([30, 60, 120, 240, 480, 600, 600]);
  });

  it("jitters by at most 20% either way", () => {
    expect(retryDelaySeconds(1, cfg, lowest)).toBe(24);
    expect(retryDelaySeconds(1, cfg, highest)).toBeCloseTo(36, 3);
    expect(retryDelaySeconds(3, cfg, () => 0.25)).toBe(108);
    for (let i = 0; i <= 100; i++) {
      const delay = retryDelaySeconds(2, cfg, () => i / 100);
      expect(delay).toBeGreaterThanOrEqual(48);
      expect(delay).toBeLessThanOrEqual(72);
    }
  });

  it("never exceeds the max delay even when jitter points up", () => {
    expect(retryDelaySeconds(8, cfg, highest)).toBe(600);
    expect(retryDelaySeconds(8, cfg, lowest)).toBe(480);
  });

  it("allows fractional base delays and is never negative", () => {
    expect(retryDelaySeconds(2, { baseDelaySeconds: 0.25, maxDelaySeconds: 10 }, middle)).toBe(0.5);
    expect(retryDelaySeconds(1, { baseDelaySeconds: -5, maxDelaySeconds: 10 }, lowest)).toBe(0);
    expect(retryDelaySeconds(0, cfg, middle)).toBe(30);
  });

  it("treats a broken random source as no jitter", () => {
    expect(retryDelaySeconds(1, cfg, () => Number.NaN)).toBe(30);
    expect(retryDelaySeconds(1, cfg, () => 7)).toBe(36);
  });
});

describe("parseRetryAfter", () => {
  it("reads delay-seconds", () => {
    expect(parseRetryAfter("120", NOW)).toBe(120);
    expect(parseRetryAfter(" 0 ", NOW)).toBe(0);
  });

  it("reads an IMF-fixdate relative to now", () => {
    expect(parseRetryAfter("Thu, 02 Jul 2026 16:16:14 GMT", NOW)).toBe(120);
  });

  it("reads the obsolete rfc 850 and asctime date forms", () => {
    expect(parseRetryAfter("Thursday, 02-Jul-26 16:15:14 GMT", NOW)).toBe(60);
    expect(parseRetryAfter("Thu Jul  2 16:15:44 2026", NOW)).toBe(90);
  });

  it("gives 0 for a date already past", () => {
    expect(parseRetryAfter("Wed, 01 Jul 2026 00:00:00 GMT", NOW)).toBe(0);
  });

  it("gives null for absent or malformed values", () => {
    for (const value of [null, "", "soon", "-5", "1.5", "12abc", "Thu, 31 Feb 2026 00:00:00 GMT"]) {
      expect(parseRetryAfter(value, NOW), String(value)).toBeNull();
    }
  });

  it("reads a two-digit year more than 50 years ahead as the previous century", () => {
    expect(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT", NOW)).toBe(
      Date.UTC(1994, 10, 6, 8, 49, 37),
    );
  });
});

describe("nextDelaySeconds", () => {
  it("uses the computed delay without a retry-after", () => {
    expect(nextDelaySeconds(2, cfg, null, middle)).toBe(60);
  });

  it("honours a retry-after longer than the computed delay", () => {
    expect(nextDelaySeconds(1, cfg, 300, middle)).toBe(300);
  });

  it("ignores a retry-after shorter than the computed delay", () => {
    expect(nextDelaySeconds(3, cfg, 5, middle)).toBe(120);
  });

  it("caps a retry-after at the max delay", () => {
    expect(nextDelaySeconds(1, cfg, 86_400, middle)).toBe(600);
  });
});
