/**
 * Authentication middleware: API keys for the organization's resources, the operator's
 * ADMIN_TOKEN for /v1/admin/*. Failures answer 401 problem+json with `WWW-Authenticate: Bearer`
 * (RFC 6750 §3); the key itself is never logged.
 */
import { createMiddleware } from "hono/factory";
import { getConfig } from "../config";
import { getDb } from "../db/client";
import { authenticateKeyHash } from "../db/queries/api-keys";
import { problemResponse } from "../errors";
import type { AppEnv } from "../routes/types";
import { bearerToken, constantTimeEqual, hashApiKey } from "./api-key";

const REALM = 'Bearer realm="webhook-delivery"';

function unauthorized(detail: string, invalidToken: boolean): Response {
  const challenge = invalidToken ? `${REALM}, error="invalid_token"` : REALM;
  return problemResponse(401, "unauthorized", detail, undefined, {
    "WWW-Authenticate": challenge,
  });
}

/** Requires `Authorization: Bearer <api key>` and sets `organizationId` (one database round trip). */
export const requireApiKey = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearerToken(c.req.header("authorization"));
  if (token === null) {
    return unauthorized("Missing or malformed Authorization header: use Bearer <api key>", false);
  }
  const hash = await hashApiKey(token);
  const key = await authenticateKeyHash(getDb(getConfig(c.env)), hash);
  // The index lookup is by hash; the comparison in constant time is defence in depth.
  if (key === null || !(await constantTimeEqual(key.key_hash, hash))) {
    return unauthorized("Unknown or revoked API key", true);
  }
  c.set("organizationId", key.organization_id);
  await next();
});

/** Requires `Authorization: Bearer <ADMIN_TOKEN>`; with no ADMIN_TOKEN set, admin is disabled. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const adminToken = getConfig(c.env).adminToken;
  if (adminToken === null) {
    return problemResponse(
      503,
      "admin_disabled",
      "The admin API is disabled: ADMIN_TOKEN is not set",
    );
  }
  const token = bearerToken(c.req.header("authorization"));
  if (token === null) {
    return unauthorized(
      "Missing or malformed Authorization header: use Bearer <admin token>",
      false,
    );
  }
  if (!(await constantTimeEqual(token, adminToken))) {
    return unauthorized("Invalid admin token", true);
  }
  await next();
});
