/**
 * What every resource router shares: the validation hook (zod failures -> 422 problem+json),
 * the problem schema and error responses for the OpenAPI document, the security requirements,
 * and parsers for path ids and cursors.
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ZodError } from "zod";
import { type Config, getConfig } from "../config";
import { type Db, getDb } from "../db/client";
import { isUuid, MAX_ROW_ID } from "../db/ids";
import { base64ToBytes } from "../delivery/base64";
import { AppError, type FieldError, problemResponse } from "../errors";
import { log } from "../log";
import { encryptionKey } from "../secrets";
import type { AppEnv } from "./types";

const TARGET_NAMES: Record<string, string> = { json: "body", query: "query", header: "header" };

/** Zod issues as `{field, message}` with dotted paths ("custom_headers.0.key"). */
export function fieldErrors(error: ZodError, target: string): FieldError[] {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join(".") || (TARGET_NAMES[target] ?? target),
    message: /received undefined$/.test(issue.message) ? "is required" : issue.message,
  }));
}

/** A router for one resource; request validation failures answer 422 with every field error. */
export function newRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const errors = fieldErrors(result.error, result.target);
      const where = TARGET_NAMES[result.target] ?? result.target;
      return problemResponse(422, "validation_failed", `The request ${where} is invalid`, errors);
    },
  });
}

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ format: "uri" }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().openapi({ example: "validation_failed" }),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: "Field problems (dotted paths)" }),
  })
  .openapi("Problem");

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "Malformed request (invalid JSON, or a refused endpoint_url)",
  401: "Missing, malformed, unknown or revoked credentials",
  404: "No such resource in this organization",
  409: "The resource is not in a state that allows this",
  413: "Request body (or payload) too large",
  415: "Body is neither JSON nor declared as JSON",
  422: "Validation failed; `errors` lists the fields",
  500: "Internal error or misconfiguration",
  503: "Unavailable: the database cannot be reached (`database_unavailable`, with `Retry-After`), or, on admin routes, ADMIN_TOKEN is unset (`admin_disabled`)",
};

/**
 * OpenAPI response entries (problem+json) for the given error statuses, plus 503: every route
 * that lists its problems reads the database, so any of them can find it unavailable.
 */
export function problems(...statuses: number[]) {
  return Object.fromEntries(
    [...new Set([...statuses, 503])].map((status) => [
      status,
      {
        description: ERROR_DESCRIPTIONS[status] ?? "Error",
        content: { "application/problem+json": { schema: ProblemSchema } },
      },
    ]),
  );
}

/** Route security requirements, matching the schemes registered in app.ts. */
export const API_KEY_SECURITY = [{ ApiKey: [] }];
export const ADMIN_SECURITY = [{ AdminToken: [] }];

/** The database for a request. */
export function dbOf(c: Context<AppEnv>): Db {
  return getDb(getConfig(c.env));
}

/** A JSON object (documented as such); values are arbitrary JSON. */
export const JsonObject = z.record(z.string(), z.unknown());

/** A path uuid, lowercased; anything else is a resource that cannot exist (404). */
export function uuidParam(value: string, what: string): string {
  if (!isUuid(value)) throw new AppError(404, "not_found", `${what} not found`);
  return value.toLowerCase();
}

/** A path serial id; anything else is a resource that cannot exist (404). */
export function serialParam(value: string, what: string): number {
  const id = /^[1-9]\d{0,9}$/.test(value) ? Number(value) : 0;
  if (id < 1 || id > MAX_ROW_ID) throw new AppError(404, "not_found", `${what} not found`);
  return id;
}

/** Opaque page cursor: base64url of the last row's serial id. */
export function encodeCursor(id: number): string {
  return btoa(String(id)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Decodes a cursor from encodeCursor; anything else is a 422 on `cursor`. */
export function decodeCursor(cursor: string): number {
  const bytes = base64ToBytes(cursor);
  const text = bytes ? new TextDecoder().decode(bytes) : "";
  const id = /^[1-9]\d{0,15}$/.test(text) ? Number(text) : 0;
  if (!Number.isSafeInteger(id) || id < 1 || id > MAX_ROW_ID) {
    throw new AppError(422, "validation_failed", "The request query is invalid", [
      { field: "cursor", message: "is not a cursor returned by this endpoint" },
    ]);
  }
  return id;
}

/** Query `limit`: 1-100, default 20. */
export const LimitQuery = z.coerce
  .number()
  .int()
  .min(1)
  .max(100)
  .optional()
  .openapi({ description: "Page size, 1-100 (default 20)", example: 20 });

/**
 * The credentials encryption key, or a 500 naming CREDENTIALS_ENCRYPTION_KEY (never its value)
 * when it is missing or invalid: secrets are never stored in plaintext.
 */
export async function requireEncryptionKey(config: Config): Promise<CryptoKey> {
  try {
    return await encryptionKey(config);
  } catch (err) {
    // The detail (length, encoding) is for the operator's log, not for API callers.
    const message = err instanceof Error ? err.message : String(err);
    log("error", "config.encryption_key_invalid", { error: message });
    throw new AppError(
      500,
      "misconfigured",
      "Service misconfigured: CREDENTIALS_ENCRYPTION_KEY is missing or invalid",
    );
  }
}
