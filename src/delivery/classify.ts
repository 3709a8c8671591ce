/**
 * What one attempt's result means for the delivery, as a closed union the caller maps to
 * database writes in one place. The status classes are the reference's.
 */
import { type BackoffConfig, nextDelaySeconds, parseRetryAfter } from "./backoff";

export type SendResult =
  | { kind: "response"; status: number; retryAfter: string | null }
  | { kind: "network_error"; error: string };

export type Outcome =
  | { kind: "succeeded" }
  | { kind: "retry"; delaySeconds: number; reason: string }
  | { kind: "dead_letter"; reason: string };

/** Statuses worth retrying although the server answered (the reference's list). */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Only these carry a Retry-After we act on (RFC 9110 §10.2.3 names 503 and 3xx; RFC 6585 §4 adds 429). */
const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** True for a 2xx status. */
export function isSuccessStatus(status: number): boolean {
  return status >= 200 && status <= 299;
}

function failureReason(result: SendResult): string {
  return result.kind === "response" ? `HTTP ${result.status}` : `network error: ${result.error}`;
}

/**
 * Classifies attempt `attempt` (1-based) of `maxAttempts`: 2xx succeeds; 408/425/429/5xx
 * gateway errors and network errors retry until attempts run out; anything else (3xx,
 * other 4xx, 501, 505...) dead-letters at once.
 */
export function classifyAttempt(
  result: SendResult,
  attempt: number,
  maxAttempts: number,
  cfg: BackoffConfig,
  now: Date,
  random: () => number,
): Outcome {
  if (result.kind === "response" && isSuccessStatus(result.status)) return { kind: "succeeded" };
  const transient = result.kind === "network_error" || TRANSIENT_STATUSES.has(result.status);
  const reason = failureReason(result);
  if (!transient) return { kind: "dead_letter", reason: `${reason} (not retryable)` };
  if (attempt >= maxAttempts) {
    return { kind: "dead_letter", reason: `attempts exhausted after ${reason}` };
  }
  const retryAfter =
    result.kind === "response" && RETRY_AFTER_STATUSES.has(result.status)
      ? parseRetryAfter(result.retryAfter, now)
      : null;
  return {
    kind: "retry",
    delaySeconds: nextDelaySeconds(attempt, cfg, retryAfter, random),
    reason,
  };
}
