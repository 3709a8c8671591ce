// @ts-check
// Test-only state: request/query counters and injected faults (enabled with testHooks).
import { pgErrorBody, RequestError } from "./protocol.mjs";

/**
 * @typedef {{ match: string, times: number, when: "before" | "after", status: number,
 *   pgError: { code: string, message: string } | null }} Fault
 */
/** @typedef {{ status: number, body: unknown }} Reply */

export function createTestHooks() {
  const stats = { requests: 0, queries: 0 };
  /** @type {Fault[]} */
  let faults = [];

  return {
    /** @param {{ query: string }[]} queries */
    count(queries) {
      stats.requests += 1;
      stats.queries += queries.length;
    },

    /**
     * Consumes one use of the first registered fault whose text occurs in any of the queries.
     * @param {{ query: string }[]} queries
     * @returns {Fault | null}
     */
    takeFault(queries) {
      const fault = faults.find((f) => queries.some((q) => q.query.includes(f.match)));
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
     * @returns {Promise<Reply | null>}
     */
    async route(method, path, readBody) {
      if (path === "/__stats" && method === "GET") return { status: 200, body: { ...stats } };
      if (path === "/__stats/reset" && method === "POST") {
        stats.requests = 0;
        stats.queries = 0;
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
  if (typeof match !== "string" || match === "") fail('"match" must be a non-empty string');
  if (!Number.isInteger(times) || times < 1) fail('"times" must be a positive integer');
  if (when !== "before" && when !== "after") fail('"when" must be "before" or "after"');
  if (!Number.isInteger(status) || status < 400 || status > 599) fail('"status" must be 400-599');
  if (
    pgError !== null &&
    (typeof pgError?.code !== "string" || typeof pgError?.message !== "string")
  ) {
    fail('"pgError" must be {code: string, message: string}');
  }
  return { match, times, when, status, pgError };
}

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  throw new RequestError(400, `invalid fault: ${message}`);
}
