import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { type Config, ConfigError, getConfig } from "../config";
import { getDb } from "../db/client";
import { pingDatabase } from "../db/queries/health";
import { describeError } from "../delivery/redact";
import { log } from "../log";
import type { AppEnv } from "./types";

const Health = z
  .object({
    ok: z.boolean(),
    database: z.enum(["up", "down", "unknown"]),
    error: z.string().optional().openapi({
      description: "Why the service is not ready, e.g. the configuration variable that is invalid",
    }),
  })
  .openapi("Health");

const route = createRoute({
  method: "get",
  path: "/healthz",
  summary: "Liveness with a real database round trip",
  responses: {
    200: {
      description: "Service and database are up",
      content: { "application/json": { schema: Health } },
    },
    503: {
      description: "The database is unreachable, or the configuration is invalid",
      content: { "application/json": { schema: Health } },
    },
  },
});

/** GET /healthz: no auth; 503 when the database does not answer or the config is refused. */
export const healthRoutes = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  let config: Config;
  try {
    config = getConfig(c.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    log("error", "healthz.config_invalid", { variable: err.variable, error: err.message });
    return c.json({ ok: false, database: "unknown" as const, error: err.message }, 503);
  }
  try {
    await pingDatabase(getDb(config));
    return c.json({ ok: true, database: "up" as const }, 200);
  } catch (err) {
    log("error", "healthz.database_down", { error: describeError(err) });
    return c.json({ ok: false, database: "down" as const }, 503);
  }
});
