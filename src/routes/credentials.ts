/**
 * /v1/credentials: secrets for receivers' auth headers. Data is validated per type, encrypted
 * with CREDENTIALS_ENCRYPTION_KEY bound to the credential_uuid (the delivery path decrypts with
 * that binding), and never returned. Rotation applies to the next attempt of pending deliveries,
 * which re-read the credential when they are claimed.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { requireApiKey } from "../auth/middleware";
import { getConfig } from "../config";
import {
  type CredentialMetadata,
  deactivateCredential,
  getCredential,
  insertCredential,
  listCredentials,
  rotateCredential,
} from "../db/queries/credentials";
import { CREDENTIAL_TYPES, parseCredentialData } from "../delivery/credentials";
import { encryptJson } from "../delivery/encryption";
import { AppError } from "../errors";
import { credentialContext } from "../secrets";
import {
  API_KEY_SECURITY,
  dbOf,
  newRouter,
  problems,
  requireEncryptionKey,
  uuidParam,
} from "./common";
import { acceptJsonBody } from "./json-body";

const Credential = z
  .object({
    credential_uuid: z.string().openapi({ format: "uuid" }),
    name: z.string(),
    credential_type: z.enum(CREDENTIAL_TYPES),
    is_active: z.boolean(),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Credential");

const CredentialData = z.record(z.string(), z.unknown()).openapi({
  description:
    "Per type: {token} | {header_name?, api_key} | {username, password} | {header_name?, header_value} | {}",
});

const CreateCredentialBody = z
  .object({
    name: z.string().min(1).max(200),
    credential_type: z.enum(CREDENTIAL_TYPES),
    credential_data: CredentialData.optional(),
  })
  .openapi("CreateCredential");

const RotateCredentialBody = z
  .object({
    credential_data: CredentialData,
    name: z.string().min(1).max(200).optional(),
    credential_type: z.enum(CREDENTIAL_TYPES).optional(),
  })
  .openapi("RotateCredential");

const UuidParam = z.object({
  uuid: z.string().openapi({ param: { name: "uuid", in: "path" }, format: "uuid" }),
});

const ok = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const auth = { security: API_KEY_SECURITY, middleware: [requireApiKey] };
const withBody = { security: API_KEY_SECURITY, middleware: [requireApiKey, acceptJsonBody] };

/** Validated credential data, or a 422 naming the offending field. */
function validData(type: string, data: unknown) {
  const parsed = parseCredentialData(type, data ?? {});
  if (!parsed.ok) {
    const field =
      /^(credential_[a-z_]+(?:\.[a-z_]+)?)/.exec(parsed.error)?.[1] ?? "credential_data";
    throw new AppError(422, "validation_failed", parsed.error, [{ field, message: parsed.error }]);
  }
  return parsed.data;
}

function view(row: CredentialMetadata) {
  return { ...row, credential_type: row.credential_type as (typeof CREDENTIAL_TYPES)[number] };
}

const notFound = () => new AppError(404, "not_found", "Credential not found");

export const credentialRoutes = newRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/credentials",
      summary: "Store a credential (its data is encrypted and never returned)",
      ...withBody,
      request: {
        body: { required: true, content: { "application/json": { schema: CreateCredentialBody } } },
      },
      responses: { 201: ok(Credential, "Stored"), ...problems(400, 401, 413, 415, 422, 500) },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const data = validData(body.credential_type, body.credential_data);
      const key = await requireEncryptionKey(getConfig(c.env));
      const uuid = crypto.randomUUID();
      const row = await insertCredential(dbOf(c), c.get("organizationId"), {
        uuid,
        name: body.name,
        type: body.credential_type,
        data: await encryptJson(key, data, credentialContext(uuid)),
      });
      return c.json(view(row), 201, { Location: `/v1/credentials/${uuid}` });
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/credentials",
      summary: "The organization's credentials, active and inactive (metadata only)",
      ...auth,
      responses: {
        200: ok(z.object({ data: z.array(Credential) }).openapi("CredentialList"), "All"),
        ...problems(401),
      },
    }),
    async (c) => {
      const rows = await listCredentials(dbOf(c), c.get("organizationId"));
      return c.json({ data: rows.map(view) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/credentials/{uuid}",
      summary: "A credential's metadata",
      ...auth,
      request: { params: UuidParam },
      responses: { 200: ok(Credential, "The credential"), ...problems(401, 404) },
    }),
    async (c) => {
      const uuid = uuidParam(c.req.valid("param").uuid, "Credential");
      const row = await getCredential(dbOf(c), c.get("organizationId"), uuid);
      if (!row) throw notFound();
      return c.json(view(row), 200);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/v1/credentials/{uuid}",
      summary: "Rotate a credential's data (and optionally its name and type)",
      ...withBody,
      request: {
        params: UuidParam,
        body: { required: true, content: { "application/json": { schema: RotateCredentialBody } } },
      },
      responses: { 200: ok(Credential, "Rotated"), ...problems(400, 401, 404, 413, 415, 422, 500) },
    }),
    async (c) => {
      const uuid = uuidParam(c.req.valid("param").uuid, "Credential");
      const body = c.req.valid("json");
      const db = dbOf(c);
      const organizationId = c.get("organizationId");
      const current = await getCredential(db, organizationId, uuid);
      if (!current) throw notFound();
      const type = body.credential_type ?? current.credential_type;
      const data = validData(type, body.credential_data);
      const key = await requireEncryptionKey(getConfig(c.env));
      const row = await rotateCredential(db, organizationId, uuid, {
        expectedType: current.credential_type,
        type,
        name: body.name ?? null,
        data: await encryptJson(key, data, credentialContext(uuid)),
      });
      if (!row) throw new AppError(409, "conflict", "The credential changed meanwhile; try again");
      return c.json(view(row), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/v1/credentials/{uuid}",
      summary: "Deactivate a credential (deliveries then send without it)",
      ...auth,
      request: { params: UuidParam },
      responses: { 204: { description: "Deactivated" }, ...problems(401, 404) },
    }),
    async (c) => {
      const uuid = uuidParam(c.req.valid("param").uuid, "Credential");
      if (!(await deactivateCredential(dbOf(c), c.get("organizationId"), uuid))) throw notFound();
      return c.body(null, 204);
    },
  );
