/**
 * The HTTP API: one sub-app per resource, mounted here; errors are problem+json everywhere,
 * a known path with another method answers 405 with `Allow`, bodies over 1 MiB answer 413, and
 * an unreachable database answers 503 with `Retry-After` (anything else unexpected is a 500).
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { NeonDbError } from "@neondatabase/serverless";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { ConfigError } from "../config";
import { describeError } from "../delivery/redact";
import { AppError, problemResponse } from "../errors";
import { log } from "../log";
import { adminRoutes } from "./admin";
import { credentialRoutes } from "./credentials";
import { deliveryRoutes } from "./deliveries";
import { healthRoutes } from "./health";
import { allowedMethodsLookup } from "./method-not-allowed";
import { registerOpenApi } from "./openapi";
import { signingSecretRoutes } from "./signing-secret";
import type { AppEnv } from "./types";
import { workflowRunRoutes } from "./workflow-runs";
import { workflowRoutes } from "./workflows";

/** Largest request body the API reads at all. */
export const MAX_BODY_BYTES = 1024 * 1024;

const HTTP_EXCEPTION_CODES: Partial<Record<number, string>> = {
  400: "malformed_json",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

/** Seconds a client is asked to wait when the database is unavailable. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * The Neon driver's wording when the SQL endpoint cannot be reached (a failed fetch) or
 * answers 5xx; a 400 carries a Postgres error instead, which stays a 500.
 */
const UNAVAILABLE_MESSAGES = ["Error connecting to database", "Server error (HTTP status 5"];

/** True when `err`, or an error in its `cause` chain (drizzle wraps the driver's), is one. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = err; current instanceof Error && !seen.has(current); current = current.cause) {
    seen.add(current);
    // By name too: a second copy of the driver (another bundle) has its own class.
    const neon = current instanceof NeonDbError || current.name === "NeonDbError";
    if (neon && UNAVAILABLE_MESSAGES.some((m) => current.message.startsWith(m))) return true;
  }
  return false;
}

/** Builds the Hono app (a function so tests can build a fresh one). */
export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.use(
    "/v1/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () =>
        problemResponse(413, "payload_too_large", `Request body exceeds ${MAX_BODY_BYTES} bytes`),
    }),
  );
  app.route("/", healthRoutes);
  app.route("/", deliveryRoutes);
  app.route("/", credentialRoutes);
  app.route("/", workflowRoutes);
  app.route("/", workflowRunRoutes);
  app.route("/", signingSecretRoutes);
  app.route("/", adminRoutes);
  registerOpenApi(app);

  let allowedMethods: ((path: string) => string[]) | null = null;
  app.notFound((c) => {
    allowedMethods ??= allowedMethodsLookup(app.routes);
    const allow = allowedMethods(c.req.path);
    if (allow.length > 0) {
      return problemResponse(
        405,
        "method_not_allowed",
        `${c.req.method} is not allowed on ${c.req.path}; allowed: ${allow.join(", ")}`,
        undefined,
        { Allow: allow.join(", ") },
      );
    }
    return problemResponse(404, "not_found", `No route for ${c.req.method} ${c.req.path}`);
  });
  app.onError((err) => {
    if (err instanceof AppError) {
      return problemResponse(err.status, err.code, err.message, err.errors);
    }
    if (err instanceof HTTPException && err.status < 500) {
      // Raised by hono's validators: malformed JSON (400), unsupported media type (415).
      const code = HTTP_EXCEPTION_CODES[err.status] ?? "bad_request";
      return problemResponse(err.status, code, err.message || "Bad request");
    }
    if (err instanceof ConfigError) {
      log("error", "config.invalid", { variable: err.variable, error: err.message });
      return problemResponse(500, "misconfigured", `Service misconfigured: ${err.message}`);
    }
    if (isDatabaseUnavailable(err)) {
      log("error", "http.database_unavailable", { error: describeError(err) });
      return problemResponse(
        503,
        "database_unavailable",
        "The database is unavailable; try again shortly",
        undefined,
        { "Retry-After": String(DATABASE_RETRY_AFTER_SECONDS) },
      );
    }
    log("error", "http.unhandled", { error: describeError(err) });
    return problemResponse(500, "internal_error", "Internal server error");
  });
  return app;
}
