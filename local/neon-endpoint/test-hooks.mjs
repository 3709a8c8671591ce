// @ts-check
// Test-only state: request/query counters and injected faults (enabled with testHooks).
import { pgErrorBody, RequestError } from "./protocol.mjs";

/**
 * A fault hits a request when one of its queries contains `match`, carries every value of
 * `params` among its parameters (as the text the driver sent), and, when `connection` is set,
 * the request came with that Neon-Connection-String. Concurrent tests can so aim at one row.
 * @typedef {{ match: string, params: string[], connection: string | null, times: number,
 *   when: "before" | "after", status: number,
 *   pgError: { code: string, message: string } | null }} Fault
 */
/** @typedef {{ query: string, params?: unknown[] }} Query */
/** @typedef {{ status: number, body: unknown }} Reply */

export function createTestHooks() {
  const stats = { requests: 0, queries: 0 };
  /** Per Neon-Connection-String, so a test can count only its own requests. */
  /** @type {Map<string, { requests: number, queries: number }>} */
  const byConnection = new Map();
  /** @type {Fault[]} */
  let faults = [];

  return {
    /** @param {Query[]} queries @param {string} connection */
    count(queries, connection) {
      stats.requests += 1;
      stats.queries += queries.length;
      const own = byConnection.get(connection) ?? { requests: 0, queries: 0 };
      own.requests += 1;
      own.queries += queries.length;
      byConnection.set(connection, own);
    },

    /**
     * Consumes one use of the first registered fault whose text occurs in any of the queries.
     * @param {Query[]} queries
     * @param {string} connection
     * @returns {Fault | null}
     */
    takeFault(queries, connection) {
      const fault = faults.find(
        (f) =>
          (f.connection === null || connection.includes(f.connection)) &&
          queries.some((q) => q.query.includes(f.match) && hasParams(q, f.params)),
      );
      if (!fault) return null;
      fault.times -= 1;
      if (fault.times <= 0) faults = faults.filter((f) => f !== fault);
      return fault;
    },

    /**
     * Answers the /__stats and /__faults routes; null when the route is not one of them.
     * @param {string} method
     * @param {string} path
     * @param {() => Promise<string>} readBody
     * @param {URLSearchParams} [search]
     * @returns {Promise<Reply | null>}
     */
    async route(method, path, readBody, search) {
      const connection = search?.get("connection") ?? null;
      if (path === "/__stats" && method === "GET") {
        if (connection === null) return { status: 200, body: { ...stats } };
        // The driver may append parameters (application_name), so match by substring.
        const own = { requests: 0, queries: 0 };
        for (const [key, value] of byConnection) {
          if (!key.includes(connection)) continue;
          own.requests += value.requests;
          own.queries += value.queries;
        }
        return { status: 200, body: own };
      }
      if (path === "/__stats/reset" && method === "POST") {
        stats.requests = 0;
        stats.queries = 0;
        byConnection.clear();
        return { status: 200, body: { ...stats } };
      }
      if (path === "/__faults" && method === "POST") {
        faults.push(parseFault(await readBody()));
        return { status: 200, body: { faults: faults.length } };
      }
      if (path === "/__faults" && method === "DELETE") {
        faults = [];
        return { status: 200, body: { faults: 0 } };
      }
      return null;
    },
  };
}

/**
 * The reply that replaces a request hit by `fault`.
 * @param {Fault} fault
 * @returns {Reply}
 */
export function faultReply(fault) {
  if (fault.pgError)
    return { status: 400, body: pgErrorBody({ severity: "ERROR", ...fault.pgError }) };
  return { status: fault.status, body: { message: "injected fault" } };
}

/**
 * @param {string} text
 * @returns {Fault}
 */
function parseFault(text) {
  /** @type {any} */
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RequestError(400, "fault body is not valid JSON");
  }
  const { match, times = 1, when = "before", status = 500, pgError = null } = body ?? {};
  const { params = [], connection = null } = body ?? {};
  if (typeof match !== "string" || match === "") fail('"match" must be a non-empty string');
  if (!Array.isArray(params) || params.some((p) => typeof p !== "string")) {
    fail('"params" must be an array of strings');
  }
  if (connection !== null && typeof connection !== "string") fail('"connection" must be a string');
  if (!Number.isInteger(times) || times < 1) fail('"times" must be a positive integer');
  if (when !== "before" && when !== "after") fail('"when" must be "before" or "after"');
  if (!Number.isInteger(status) || status < 400 || status > 599) fail('"status" must be 400-599');
  if (
    pgError !== null &&
    (typeof pgError?.code !== "string" || typeof pgError?.message !== "string")
  ) {
    fail('"pgError" must be {code: string, message: string}');
  }
  return { match, params, connection, times, when, status, pgError };
}

/**
 * @param {Query} query
 * @param {string[]} wanted
 */
function hasParams(query, wanted) {
  const sent = (query.params ?? []).map((p) => (p === null ? null : String(p)));
  return wanted.every((value) => sent.includes(value));
}

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  throw new RequestError(400, `invalid fault: ${message}`);
}
