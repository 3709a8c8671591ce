/**
 * The HTTP API: one sub-app per resource, mounted here; errors are problem+json everywhere.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { ConfigError } from "../config";
import { describeError } from "../delivery/redact";
import { AppError, problemResponse } from "../errors";
import { log } from "../log";
import { healthRoutes } from "./health";
import type { AppEnv } from "./types";

/** Builds the Hono app (a function so tests can build a fresh one). */
export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.route("/", healthRoutes);

  app.notFound((c) =>
    problemResponse(404, "not_found", `No route for ${c.req.method} ${c.req.path}`),
  );
  app.onError((err) => {
    if (err instanceof AppError) {
      return problemResponse(err.status, err.code, err.message, err.errors);
    }
    if (err instanceof ConfigError) {
      log("error", "config.invalid", { variable: err.variable, error: err.message });
      return problemResponse(500, "misconfigured", `Service misconfigured: ${err.message}`);
    }
    log("error", "http.unhandled", { error: describeError(err) });
    return problemResponse(500, "internal_error", "Internal server error");
  });
  return app;
}
