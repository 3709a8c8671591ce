import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { getConfig } from "../config";
import { getDb } from "../db/client";
import { pingDatabase } from "../db/queries/health";
import { describeError } from "../delivery/redact";
import { log } from "../log";
import type { AppEnv } from "./types";

const Health = z.object({ ok: z.boolean(), database: z.enum(["up", "down"]) }).openapi("Health");

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
      description: "The database is unreachable",
      content: { "application/json": { schema: Health } },
    },
  },
});

/** GET /healthz: no auth; 503 when the database does not answer. */
export const healthRoutes = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  try {
    await pingDatabase(getDb(getConfig(c.env)));
    return c.json({ ok: true, database: "up" as const }, 200);
  } catch (err) {
    log("error", "healthz.database_down", { error: describeError(err) });
    return c.json({ ok: false, database: "down" as const }, 503);
  }
});
