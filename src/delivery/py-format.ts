/**
 * The reference renders template values with Python's `str()`, `json.dumps()` and
 * `str.title()`, and stamps `call_time` with `datetime.isoformat()`. Receivers already
 * parse that text, so these reproduce the Python output for JSON-shaped values.
 */

/** Python's `repr(float)` / `str(int)` for a JS number (integral numbers print as ints). */
export function pythonNumber(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  // JSON cannot tell 1 from 1.0, so integral values print as Python ints do.
  if (Number.isInteger(n)) return BigInt(n).toString();
  const [mantissa = "0", expText = "0"] = n.toExponential().split("e");
  const exp = Number(expText);
  // repr() switches to scientific notation outside 1e-4 <= |n| < 1e16, with 2+ exponent digits.
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return String(n);
}

/** Python's `str()` of a JSON-shaped scalar (booleans print as True/False). */
export function pythonStr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return pythonNumber(value);
  if (typeof value === "string") return value;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  return pythonJsonDumps(value);
}

/** Python's `json.dumps(value)` with its defaults: `", "`/`": "` separators, ensure_ascii. */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
    return pythonNumber(value);
  }
  if (typeof value === "string") return quoteAscii(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  if (typeof value === "object" && !(value instanceof Date)) {
    const parts = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && typeof v !== "function")
      .map(([k, v]) => `${quoteAscii(k)}: ${pythonJsonDumps(v)}`);
    return `{${parts.join(", ")}}`;
  }
  return quoteAscii(String(value instanceof Date ? value.toISOString() : value));
}

const NAMED_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/** A JSON string literal escaped as Python's ensure_ascii does (every non-printable-ASCII unit). */
function quoteAscii(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    const code = text.charCodeAt(i);
    const named = NAMED_ESCAPES[ch];
    if (named !== undefined) out += named;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Python's `str.title()`: upper-case a cased character after an uncased one, lower-case the rest. */
export function pythonTitle(text: string): string {
  let out = "";
  let previousCased = false;
  for (const ch of text) {
    const cased = ch.toLowerCase() !== ch.toUpperCase();
    out += cased ? (previousCased ? ch.toLowerCase() : ch.toUpperCase()) : ch;
    previousCased = cased;
  }
  return out;
}

const TIMESTAMP =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Python's `datetime.isoformat()` of an aware UTC timestamp ("2026-07-02T16:14:14.123456+00:00").
 * Postgres text keeps its microseconds, which a JS Date would drop; null when unparseable.
 */
export function pythonIsoformatUtc(value: string | Date): string | null {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null;
    return formatUtc(value, String(value.getUTCMilliseconds() * 1000).padStart(6, "0"));
  }
  const match = TIMESTAMP.exec(value.trim());
  if (!match) {
    const parsed = new Date(value);
    return Number.isNaN(parsed.getTime()) ? null : pythonIsoformatUtc(parsed);
  }
  const [, day, time, fraction = "", zone = "Z"] = match;
  const offset = zone.toUpperCase() === "Z" ? "Z" : normaliseOffset(zone);
  const whole = new Date(`${day}T${time}${offset}`);
  if (Number.isNaN(whole.getTime())) return null;
  return formatUtc(whole, fraction.padEnd(6, "0").slice(0, 6));
}

function normaliseOffset(zone: string): string {
  const digits = zone.replace(":", "");
  return `${digits.slice(0, 3)}:${digits.slice(3, 5).padEnd(2, "0")}`;
}

function formatUtc(whole: Date, micros: string): string {
  const seconds = whole.toISOString().slice(0, 19);
  // isoformat() omits the fraction entirely when it is zero.
  return `${seconds}${/^0+$/.test(micros) ? "" : `.${micros}`}+00:00`;
}
