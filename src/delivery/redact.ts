/**
 * What the delivery logs may show, per the reference: the URL's origin only, no header
 * values beyond content-type and X-Dograh-*, no sensitive or URL-valued payload fields,
 * lines capped at 8,000 characters, and errors described even when their message is empty.
 */

export const REDACTED = "[REDACTED]";
export const MAX_LOG_LINE_CHARS = 8000;

/** Normalised (lowercase, alphanumerics only) fragments of sensitive field names. */
const SENSITIVE_NAME_PARTS = [
  "authorization",
  "cookie",
  "credential",
  "password",
  "passwd",
  "secret",
  "signature",
  "token",
  "apikey",
  "accesskey",
  "privatekey",
  "clientsecret",
  "email",
  "phone",
  "mobile",
  "address",
  "dateofbirth",
  "ssn",
  "cardnumber",
  "cvv",
  "cvc",
  "callbackurl",
  "redirecturi",
] as const;

const CONTAINS_HTTP_URL = /https?:\/\/\S/i;

/** Scheme, host and port of a URL, without credentials, path or query. */
export function urlOrigin(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.origin !== "null") return parsed.origin;
    return parsed.host ? `${parsed.protocol}//${parsed.host}` : "<invalid url>";
  } catch {
    return "<invalid url>";
  }
}

/** Header map with every value redacted except content-type and X-Dograh-* (any case). */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    const visible = lower === "content-type" || lower.startsWith("x-dograh-");
    out[name] = visible ? value : REDACTED;
  }
  return out;
}

/** True when a field name, lowercased with non-alphanumerics removed, looks sensitive. */
export function isSensitiveFieldName(name: string): boolean {
  const normalised = name.toLowerCase().replace(/[^a-z0-9]/g, "");
  return SENSITIVE_NAME_PARTS.some((part) => normalised.includes(part));
}

/** A copy of a payload with the same shape, sensitive fields and URL strings redacted. */
export function redactPayload(value: unknown): unknown {
  if (typeof value === "string") return CONTAINS_HTTP_URL.test(value) ? REDACTED : value;
  if (Array.isArray(value)) return value.map(redactPayload);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, field]) => [
        key,
        isSensitiveFieldName(key) ? REDACTED : redactPayload(field),
      ]),
    );
  }
  return value;
}

const TRUNCATION_MARK = "...[truncated]";

/** A log line cut to at most `max` characters, marked when cut. */
export function capLine(line: string, max = MAX_LOG_LINE_CHARS): string {
  if (line.length <= max) return line;
  if (max <= TRUNCATION_MARK.length) return line.slice(0, Math.max(0, max));
  let end = max - TRUNCATION_MARK.length;
  // Do not split a surrogate pair.
  const last = line.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${line.slice(0, end)}${TRUNCATION_MARK}`;
}

/**
 * drizzle's query errors carry the whole SQL and its parameters in the message; parameters can
 * hold secrets (encrypted blobs, key hashes), so only the statement's first words are kept.
 */
function withoutQueryParams(message: string): string {
  const match = /^Failed query:\s*([\s\S]*?)\nparams:/.exec(message);
  if (!match) return message;
  const statement = (match[1] ?? "").replace(/\s+/g, " ").trim().slice(0, 60);
  return `Failed query: ${statement}...`;
}

function describeOne(err: unknown): string {
  if (err instanceof Error) {
    const name = err.name || err.constructor?.name || "Error";
    const message = withoutQueryParams(err.message);
    const head = message ? `${name}: ${message}` : `${name} (no message)`;
    const code = (err as { code?: unknown }).code;
    // DOMException's numeric `code` is a legacy constant, not information.
    const showCode =
      typeof code === "string" ||
      (typeof code === "number" &&
        !(typeof DOMException !== "undefined" && err instanceof DOMException));
    return showCode && code !== "" ? `${head} [code ${String(code)}]` : head;
  }
  if (typeof err === "string") return err === "" ? "(empty string thrown)" : err;
  if (err === null || err === undefined) return String(err);
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}

/**
 * A repr-like description of anything thrown: `Name: message [code X]` and its `cause`
 * chain. Never empty: a timeout's message often is.
 */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (parts.length < 5 && !seen.has(current)) {
    seen.add(current);
    parts.push(describeOne(current));
    if (!(current instanceof Error) || current.cause === undefined) break;
    current = current.cause;
  }
  return parts.join("; caused by ") || "unknown error";
}
