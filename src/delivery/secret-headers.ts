/**
 * Custom headers are stored in plain text on the delivery row, so the reference refuses
 * secret-looking ones (secrets belong in a credential, re-resolved at send time).
 */

/** Substrings of a lowercased header name that mark it as a secret. Bare "key" is deliberately
 * absent so `X-Idempotency-Key` survives. */
const SECRET_MARKERS = [
  "authorization",
  "auth",
  "token",
  "secret",
  "password",
  "passwd",
  "cookie",
  "credential",
  "api-key",
  "apikey",
  "api_key",
  "access-key",
] as const;

/** RFC 9110 §5.6.2 `token`: the only valid shape of a field name. */
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Headers the service sets itself; a stored header must never shadow them. */
const RESERVED_PREFIXES = ["x-dograh-", "webhook-"] as const;

/** Connection-specific and framing fields (RFC 9110 §7.6.1, §8.6): the HTTP client owns these. */
const TRANSPORT_HEADERS = new Set([
  "connection",
  "content-length",
  "host",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

export interface CustomHeader {
  key: string;
  value: string;
}

export type DropReason = "secret" | "invalid_name" | "invalid_value" | "reserved";

/** True when a header name looks like it carries a secret (reference marker list). */
export function isSecretHeaderName(name: string): boolean {
  const normalised = name.trim().toLowerCase();
  return SECRET_MARKERS.some((marker) => normalised.includes(marker));
}

/** True for names the service sets itself or the HTTP client must control. */
export function isReservedHeaderName(name: string): boolean {
  const lower = name.trim().toLowerCase();
  return TRANSPORT_HEADERS.has(lower) || RESERVED_PREFIXES.some((p) => lower.startsWith(p));
}

function headerValue(raw: unknown): string | null {
  if (typeof raw === "string") return raw;
  if (typeof raw === "number" || typeof raw === "boolean") return String(raw);
  return null;
}

function dropReason(key: string, value: string): DropReason | null {
  if (!HTTP_TOKEN.test(key)) return "invalid_name";
  if (isSecretHeaderName(key)) return "secret";
  if (isReservedHeaderName(key)) return "reserved";
  // CR, LF and NUL would let a value smuggle another header (RFC 9110 §5.5).
  if (/[\r\n\0]/.test(value)) return "invalid_value";
  return null;
}

/**
 * Splits stored custom headers into the ones kept and the names dropped (secret-looking,
 * not a valid field name, reserved, or an unsafe value). Tolerates null and garbage entries:
 * an entry without a non-empty string key, or (as in the reference) without a value, is ignored.
 */
export function partitionCustomHeaders(headers: unknown): {
  kept: CustomHeader[];
  dropped: string[];
  droppedReasons: { name: string; reason: DropReason }[];
} {
  const kept: CustomHeader[] = [];
  const droppedReasons: { name: string; reason: DropReason }[] = [];
  if (!Array.isArray(headers)) return { kept, dropped: [], droppedReasons };
  for (const entry of headers) {
    if (typeof entry !== "object" || entry === null) continue;
    const { key: rawKey, value: rawValue } = entry as { key?: unknown; value?: unknown };
    if (typeof rawKey !== "string" || rawKey.trim() === "") continue;
    const key = rawKey.trim();
    const value = headerValue(rawValue);
    if (value === null || value === "") continue;
    const reason = dropReason(key, value);
    if (reason) droppedReasons.push({ name: key, reason });
    else kept.push({ key, value });
  }
  return { kept, dropped: droppedReasons.map((d) => d.name), droppedReasons };
}
