/**
 * GET /v1/openapi.json: the OpenAPI 3.1 document, generated from the routes' own zod schemas
 * (so it cannot drift from what the code validates), with the two bearer security schemes.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "./types";

const DOCUMENT = {
  openapi: "3.1.0",
  info: {
    title: "Webhook delivery API",
    version: "1.0.0",
    description:
      "Durable outbound webhooks: deliveries, credentials, workflows and runs, signing secrets. " +
      "Errors are application/problem+json (RFC 9457).",
  },
};

/** Registers the security schemes and the document route on the root app (after every mount). */
export function registerOpenApi(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "ApiKey", {
    type: "http",
    scheme: "bearer",
    description: "An organization's API key (whk_...)",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "AdminToken", {
    type: "http",
    scheme: "bearer",
    description: "The operator's ADMIN_TOKEN",
  });
  let document: unknown = null;
  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/openapi.json",
      summary: "This document",
      responses: {
        200: {
          description: "OpenAPI 3.1 document",
          content: { "application/json": { schema: z.record(z.string(), z.unknown()) } },
        },
      },
    }),
    (c) => {
      // Generated once per app: the routes do not change after start-up.
      document ??= app.getOpenAPI31Document(DOCUMENT);
      return c.json(document as Record<string, unknown>, 200);
    },
  );
}
