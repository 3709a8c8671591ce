/**
 * /v1/admin/*: operator endpoints behind ADMIN_TOKEN: organizations (with their first API key
 * and signing secret), more API keys, key revocation, and the rejected queue messages.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { generateApiKey } from "../auth/api-key";
import { requireAdmin } from "../auth/middleware";
import { getConfig } from "../config";
import { insertApiKey, revokeApiKey } from "../db/queries/api-keys";
import { insertOrganization, nextOrganizationId } from "../db/queries/organizations";
import { listRejections } from "../db/queries/rejections-api";
import { AppError } from "../errors";
import {
  ADMIN_SECURITY,
  dbOf,
  decodeCursor,
  encodeCursor,
  LimitQuery,
  newRouter,
  problems,
  requireEncryptionKey,
  serialParam,
} from "./common";
import { acceptJsonBody } from "./json-body";
import { sealNewSigningSecret } from "./signing-secret";

const admin = { security: ADMIN_SECURITY, middleware: [requireAdmin] };
const adminWithBody = { security: ADMIN_SECURITY, middleware: [requireAdmin, acceptJsonBody] };
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const ApiKeyShown = z
  .string()
  .openapi({ description: "Shown only in this response; store it now" });

const CreatedOrganization = z
  .object({ id: z.number().int(), name: z.string(), api_key: ApiKeyShown, key_prefix: z.string() })
  .openapi("CreatedOrganization");

const CreatedApiKey = z
  .object({ id: z.number().int(), name: z.string(), api_key: ApiKeyShown, key_prefix: z.string() })
  .openapi("CreatedApiKey");

const Rejection = z
  .object({
    id: z.number().int(),
    queue: z.string(),
    message_id: z.string(),
    reason: z.string(),
    body: z.string(),
    attempts: z.number().int(),
    created_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("QueueRejection");

const DEFAULT_PAGE_SIZE = 20;

export const adminRoutes = newRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/admin/organizations",
      summary: "Create an organization with its first API key and signing secret",
      ...adminWithBody,
      request: {
        body: {
          required: true,
          content: {
            "application/json": {
              schema: z.object({ name: z.string().min(1).max(200) }).openapi("CreateOrganization"),
            },
          },
        },
      },
      responses: {
        201: json(CreatedOrganization, "Created"),
        ...problems(400, 401, 413, 415, 422, 500, 503),
      },
    }),
    async (c) => {
      const { name } = c.req.valid("json");
      const key = await requireEncryptionKey(getConfig(c.env));
      const db = dbOf(c);
      const id = await nextOrganizationId(db);
      const apiKey = await generateApiKey();
      const signing = await sealNewSigningSecret(key, id);
      const org = await insertOrganization(db, {
        id,
        name,
        apiKey: { name: "default", keyPrefix: apiKey.keyPrefix, keyHash: apiKey.keyHash },
        signingSecret: signing.blob,
      });
      return c.json(
        { id: org.id, name: org.name, api_key: apiKey.key, key_prefix: apiKey.keyPrefix },
        201,
      );
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/admin/organizations/{id}/api-keys",
      summary: "Add an API key to an organization",
      ...adminWithBody,
      request: {
        params: z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) }),
        body: {
          required: false,
          content: {
            "application/json": {
              schema: z
                .object({ name: z.string().min(1).max(200).optional() })
                .openapi("CreateApiKey"),
            },
          },
        },
      },
      responses: { 201: json(CreatedApiKey, "Created"), ...problems(401, 404, 422, 503) },
    }),
    async (c) => {
      const organizationId = serialParam(c.req.valid("param").id, "Organization");
      const name = c.req.valid("json").name ?? "default";
      const apiKey = await generateApiKey();
      const row = await insertApiKey(dbOf(c), organizationId, { name, ...apiKey });
      if (!row) throw new AppError(404, "not_found", "Organization not found");
      return c.json(
        { id: row.id, name: row.name, api_key: apiKey.key, key_prefix: row.key_prefix },
        201,
      );
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/v1/admin/api-keys/{key}",
      summary: "Revoke an API key, named by its id or its key_prefix",
      ...admin,
      request: {
        params: z.object({ key: z.string().openapi({ param: { name: "key", in: "path" } }) }),
      },
      responses: { 204: { description: "Revoked" }, ...problems(401, 404, 409, 503) },
    }),
    async (c) => {
      const ref = c.req.valid("param").key;
      const result = await revokeApiKey(
        dbOf(c),
        /^\d+$/.test(ref) ? { id: serialParam(ref, "API key") } : { prefix: ref },
      );
      if (result === "not_found") throw new AppError(404, "not_found", "API key not found");
      if (result === "ambiguous") {
        throw new AppError(
          409,
          "ambiguous_prefix",
          "More than one key has this prefix; revoke by id",
        );
      }
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/admin/queue-rejections",
      summary: "Queue messages that could not run (malformed, unknown task, exhausted retries)",
      ...admin,
      request: {
        query: z.object({ limit: LimitQuery, cursor: z.string().optional() }),
      },
      responses: {
        200: json(
          z
            .object({ data: z.array(Rejection), next_cursor: z.string().nullable() })
            .openapi("QueueRejectionPage"),
          "One page, newest first",
        ),
        ...problems(401, 422, 503),
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const limit = query.limit ?? DEFAULT_PAGE_SIZE;
      const rows = await listRejections(dbOf(c), {
        beforeId: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return c.json(
        { data: page, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null },
        200,
      );
    },
  );
