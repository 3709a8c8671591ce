// @ts-check
// The wire format of Neon's SQL-over-HTTP endpoint: request parsing, result and error shapes.

/** @typedef {{ query: string, params: (string | null)[] }} SqlQuery */
/**
 * @typedef {{ name: string, tableID: number, columnID: number, dataTypeID: number,
 *   dataTypeSize: number, dataTypeModifier: number, format: string }} Field
 */
/**
 * What a backend returns for one statement: rows are always arrays of raw text.
 * @typedef {{ command: string, rowCount: number | null, fields: Field[], rows: (string | null)[][] }} RawResult
 */
/**
 * A database the endpoint talks to. `execute` runs one statement on its own (begin = null) or a
 * batch inside the transaction opened by `begin`, committed at the end and rolled back on error.
 * @typedef {{ kind: "pglite" | "postgres",
 *   execute(queries: SqlQuery[], begin: string | null): Promise<RawResult[]>,
 *   close(): Promise<void> }} Backend
 */

/** An error that is the client's fault (or deliberately injected); answered with `status`. */
export class RequestError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The error fields the driver copies onto NeonDbError, in the order Neon sends them. */
const PG_ERROR_FIELDS = /** @type {const} */ ([
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "severity",
  "where",
  "table",
  "column",
  "schema",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
]);

/**
 * Parses a request body into its statements; `isBatch` tells a `{queries}` body from a `{query}` one.
 * @param {string} text
 * @returns {{ queries: SqlQuery[], isBatch: boolean }}
 */
export function parseSqlRequest(text) {
  /** @type {unknown} */
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RequestError(400, "request body is not valid JSON");
  }
  if (!isObject(body)) throw new RequestError(400, "request body must be a JSON object");
  if ("queries" in body) {
    if (!Array.isArray(body.queries)) throw new RequestError(400, '"queries" must be an array');
    return { queries: body.queries.map((q, i) => parseQuery(q, `queries[${i}]`)), isBatch: true };
  }
  return { queries: [parseQuery(body, "body")], isBatch: false };
}

/**
 * @param {unknown} value
 * @param {string} where
 * @returns {SqlQuery}
 */
function parseQuery(value, where) {
  if (!isObject(value) || typeof value.query !== "string") {
    throw new RequestError(400, `${where} must have a string "query"`);
  }
  const params = value.params ?? [];
  if (!Array.isArray(params)) throw new RequestError(400, `${where}.params must be an array`);
  return { query: value.query, params: params.map(toTextParam) };
}

/**
 * The driver already sends text (pg's prepareValue); other JSON values get the same treatment.
 * @param {unknown} value
 * @returns {string | null}
 */
function toTextParam(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

const ISOLATION_LEVELS = /** @type {Record<string, string>} */ ({
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
});

/**
 * The statement that opens a batch's transaction, built from the Neon-Batch-* headers.
 * @param {(name: string) => string | undefined} header
 */
export function transactionStart(header) {
  const modes = [];
  const level = header("neon-batch-isolation-level");
  if (level !== undefined) {
    const sql = ISOLATION_LEVELS[level];
    if (!sql) {
      throw new RequestError(
        400,
        `invalid Neon-Batch-Isolation-Level "${level}" (expected ${Object.keys(ISOLATION_LEVELS).join(", ")})`,
      );
    }
    modes.push(`ISOLATION LEVEL ${sql}`);
  }
  if (header("neon-batch-read-only") === "true") modes.push("READ ONLY");
  if (header("neon-batch-deferrable") === "true") modes.push("DEFERRABLE");
  return modes.length ? `START TRANSACTION ${modes.join(", ")}` : "START TRANSACTION";
}

/**
 * The JSON Neon answers for one statement; rows become objects unless array mode is on.
 * @param {RawResult} result
 * @param {boolean} arrayMode
 */
export function shapeResult(result, arrayMode) {
  const names = result.fields.map((f) => f.name);
  const rows = arrayMode
    ? result.rows
    : result.rows.map((row) => Object.fromEntries(row.map((v, i) => [names[i], v])));
  return {
    command: result.command,
    rowCount: result.rowCount,
    rows,
    fields: result.fields,
    rowAsArray: arrayMode,
  };
}

/**
 * Fills a field the way Neon does when the backend only reports name and type.
 * @param {{ name: string, dataTypeID: number } & Partial<Field>} field
 * @returns {Field}
 */
export function completeField(field) {
  return {
    name: field.name,
    tableID: field.tableID ?? 0,
    columnID: field.columnID ?? 0,
    dataTypeID: field.dataTypeID,
    dataTypeSize: field.dataTypeSize ?? -1,
    dataTypeModifier: field.dataTypeModifier ?? -1,
    format: field.format ?? "text",
  };
}

/**
 * A DatabaseError from either pg or PGlite (both carry severity and a SQLSTATE code).
 * @param {unknown} err
 * @returns {err is Error & Record<string, unknown>}
 */
export function isPostgresError(err) {
  return (
    err instanceof Error &&
    typeof (/** @type {any} */ (err).severity) === "string" &&
    typeof (/** @type {any} */ (err).code) === "string" &&
    /^[0-9A-Z]{5}$/.test(/** @type {any} */ (err).code)
  );
}

/**
 * The 400 body for a Postgres error: every field present, as a string or null.
 * @param {{ message: string } & Record<string, unknown>} err
 */
export function pgErrorBody(err) {
  /** @type {Record<string, string | null>} */
  const body = { message: err.message };
  for (const key of PG_ERROR_FIELDS) {
    const value = err[key];
    body[key] = value === undefined || value === null ? null : String(value);
  }
  return body;
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
