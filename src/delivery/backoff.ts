/**
 * Retry timing: the reference's capped exponential backoff, plus jitter so that a burst
 * of failures does not retry in lock-step, plus the receiver's Retry-After (RFC 9110 §10.2.3).
 */

export interface BackoffConfig {
  baseDelaySeconds: number;
  maxDelaySeconds: number;
}

/** Largest relative jitter applied either way (contract: at most ±20%). */
export const JITTER_RATIO = 0.2;

function clamp(n: number, low: number, high: number): number {
  return Math.min(Math.max(n, low), high);
}

/** Rounds to whole milliseconds: the finest unit alarms and timestamps carry. */
function toMillisecondPrecision(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/**
 * Delay before the retry that follows failed attempt `attempt` (1-based):
 * `min(base * 2^(attempt-1), max)` jittered by up to ±20%, never negative nor above max.
 */
export function retryDelaySeconds(
  attempt: number,
  cfg: BackoffConfig,
  random: () => number,
): number {
  const max = Math.max(0, cfg.maxDelaySeconds);
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const base = Math.max(0, cfg.baseDelaySeconds);
  const raw = Math.min(base * 2 ** exponent, max);
  const sample = random();
  const r = Number.isFinite(sample) ? clamp(sample, 0, 1) : 0.5;
  const jittered = raw * (1 + JITTER_RATIO * (2 * r - 1));
  return clamp(toMillisecondPrecision(jittered), 0, max);
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const TIME = "(?<h>\\d{2}):(?<m>\\d{2}):(?<s>\\d{2})";
const MONTH = "(?<month>[a-z]{3})";
/** RFC 9110 §5.6.7: IMF-fixdate, then the two obsolete forms recipients must still accept. */
const HTTP_DATE_FORMS = [
  new RegExp(`^[a-z]{3}, (?<day>\\d{2}) ${MONTH} (?<year>\\d{4}) ${TIME} gmt$`, "i"),
  new RegExp(`^[a-z]{6,9}, (?<day>\\d{2})-${MONTH}-(?<yy>\\d{2}) ${TIME} gmt$`, "i"),
  new RegExp(`^[a-z]{3} ${MONTH} (?<day>[ \\d]\\d) ${TIME} (?<year>\\d{4})$`, "i"),
];

/** A two-digit year more than 50 years ahead means the previous century (§5.6.7). */
function fullYear(yy: number, now: Date): number {
  const year = Math.floor(now.getUTCFullYear() / 100) * 100 + yy;
  return year > now.getUTCFullYear() + 50 ? year - 100 : year;
}

/** Parses an HTTP-date into epoch milliseconds; null when it is not one. */
export function parseHttpDate(value: string, now: Date): number | null {
  const text = value.trim();
  const g = HTTP_DATE_FORMS.map((form) => form.exec(text)?.groups).find(Boolean);
  if (!g) return null;
  const year = g.year !== undefined ? Number(g.year) : fullYear(Number(g.yy), now);
  const month = MONTHS.indexOf((g.month ?? "").toLowerCase());
  const [day, h, m, s] = [g.day, g.h, g.m, g.s].map(Number) as [number, number, number, number];
  if (month < 0 || h > 23 || m > 59 || s > 60) return null;
  const millis = Date.UTC(year, month, day, h, m, Math.min(s, 59));
  // Reject overflowed dates such as 31 Feb rather than rolling them over.
  return new Date(millis).getUTCDate() === day ? millis : null;
}

/**
 * Seconds a `Retry-After` value asks for (RFC 9110 §10.2.3: delay-seconds or HTTP-date);
 * null when absent or malformed, 0 for a date already past.
 */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = parseHttpDate(text, now);
  if (at === null) return null;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/**
 * Delay before the next attempt: the jittered backoff, unless the receiver's Retry-After
 * asks for longer; either way never above the max delay.
 */
export function nextDelaySeconds(
  attempt: number,
  cfg: BackoffConfig,
  retryAfterSeconds: number | null,
  random: () => number,
): number {
  const computed = retryDelaySeconds(attempt, cfg, random);
  if (retryAfterSeconds === null || !(retryAfterSeconds > computed)) return computed;
  return Math.min(retryAfterSeconds, Math.max(0, cfg.maxDelaySeconds));
}
