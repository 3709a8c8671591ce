// @ts-check
// The HTTP layer: routes, the SQL request flow, and turning errors into Neon's status codes.
import { createServer } from "node:http";
import {
  isPostgresError,
  parseSqlRequest,
  pgErrorBody,
  RequestError,
  shapeResult,
  transactionStart,
} from "./protocol.mjs";
import { createTestHooks, faultReply } from "./test-hooks.mjs";

/** @typedef {import("./protocol.mjs").Backend} Backend */
/** @typedef {import("./test-hooks.mjs").Reply} Reply */
/** @typedef {import("node:http").IncomingMessage} IncomingMessage */

const MAX_BODY_BYTES = 64 * 1024 * 1024;
// No CORS headers, and /sql needs the Neon-Connection-String header (which the driver always
// sends and a browser can only send after a preflight this server never approves): a web page
// open in the developer's browser must not be able to run SQL on the local database.

/**
 * @param {Backend} backend
 * @param {{ testHooks: boolean, log: (line: string) => void }} options
 */
export function createEndpointServer(backend, { testHooks, log }) {
  const hooks = testHooks ? createTestHooks() : null;

  /**
   * @param {IncomingMessage} req
   * @returns {Promise<Reply>}
   */
  async function route(req) {
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (method === "OPTIONS") return { status: 405, body: { message: "no cross-origin access" } };
    if (path === "/sql" && method === "POST") {
      if (!req.headers["neon-connection-string"]) {
        return { status: 400, body: { message: "missing Neon-Connection-String header" } };
      }
      return handleSql(req, await readBody(req));
    }
    if (path === "/healthz" && method === "GET") return healthz();
    const query = new URL(req.url ?? "/", "http://localhost").searchParams;
    const hooked = await hooks?.route(method, path, () => readBody(req), query);
    if (hooked) return hooked;
    return { status: 404, body: { message: `no route for ${method} ${path}` } };
  }

  /**
   * @param {IncomingMessage} req
   * @param {string} text
   * @returns {Promise<Reply>}
   */
  async function handleSql(req, text) {
    const header = (/** @type {string} */ name) => headerValue(req, name);
    const { queries, isBatch } = parseSqlRequest(text);
    const begin = isBatch ? transactionStart(header) : null;
    const connection = header("neon-connection-string") ?? "";
    hooks?.count(queries, connection);
    const fault = hooks?.takeFault(queries, connection) ?? null;
    if (fault?.when === "before") return faultReply(fault);
    /** @type {import("./protocol.mjs").RawResult[]} */
    let results;
    try {
      results = await backend.execute(queries, begin);
    } catch (err) {
      // A lost answer hides a failure as well as a success.
      if (fault) return faultReply(fault);
      throw err;
    }
    // "after": the work is committed, only the answer is lost.
    if (fault) return faultReply(fault);
    const shaped = results.map((r) => shapeResult(r, header("neon-array-mode") === "true"));
    return { status: 200, body: isBatch ? { results: shaped } : shaped[0] };
  }

  /** @returns {Promise<Reply>} */
  async function healthz() {
    try {
      await backend.execute([{ query: "SELECT 1", params: [] }], null);
      return { status: 200, body: { ok: true } };
    } catch (err) {
      return {
        status: 503,
        body: { ok: false, message: err instanceof Error ? err.message : String(err) },
      };
    }
  }

  /**
   * @param {IncomingMessage} req
   * @param {import("node:http").ServerResponse} res
   */
  async function handle(req, res) {
    /** @type {Reply} */
    let reply;
    try {
      reply = await route(req);
    } catch (err) {
      reply = errorReply(err, log);
    }
    const headers = reply.body === null ? {} : { "content-type": "application/json" };
    res.writeHead(reply.status, headers);
    res.end(reply.body === null ? undefined : JSON.stringify(reply.body));
  }

  return createServer((req, res) => void handle(req, res));
}

/**
 * Client mistakes -> their status; Postgres errors -> 400 with the error fields (what the driver
 * turns into NeonDbError); anything else means the database is unreachable or broken -> 503.
 * @param {unknown} err
 * @param {(line: string) => void} log
 * @returns {Reply}
 */
function errorReply(err, log) {
  if (err instanceof RequestError) return { status: err.status, body: { message: err.message } };
  if (isPostgresError(err)) return { status: 400, body: pgErrorBody(err) };
  const message = err instanceof Error ? err.message || String(err) : String(err);
  log(`database unavailable: ${message}`);
  return { status: 503, body: { message: `database unavailable: ${message}` } };
}

/**
 * @param {IncomingMessage} req
 * @param {string} name lower-case
 */
function headerValue(req, name) {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The driver sends no Content-Type, so the body is read as text whatever the headers say.
 * @param {IncomingMessage} req
 * @returns {Promise<string>}
 */
async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new RequestError(413, "request body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
