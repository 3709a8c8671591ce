/**
 * /v1/signing-secret: the organization's Standard Webhooks secret ("whsec_..."), encrypted at
 * rest bound to `signing:<organization id>` (the delivery path decrypts with that binding).
 * Rotation keeps the previous secret signing alongside the new one for 24 hours.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { requireApiKey } from "../auth/middleware";
import { getConfig } from "../config";
import {
  currentSigningSecret,
  ensureSigningSecret,
  ROTATION_OVERLAP_HOURS,
  rotateSigningSecret,
} from "../db/queries/signing-secrets";
import {
  decryptJson,
  type EncryptedBlob,
  encryptJson,
  isEncryptedBlob,
} from "../delivery/encryption";
import { generateSigningSecret } from "../delivery/signing";
import { signingSecretContext } from "../secrets";
import { API_KEY_SECURITY, dbOf, newRouter, problems, requireEncryptionKey } from "./common";

const SigningSecret = z
  .object({ secret: z.string().openapi({ example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }) })
  .openapi("SigningSecret");

/** A new secret, encrypted for the organization. */
export async function sealNewSigningSecret(
  key: CryptoKey,
  organizationId: number,
): Promise<{ secret: string; blob: EncryptedBlob }> {
  const secret = generateSigningSecret();
  return { secret, blob: await encryptJson(key, secret, signingSecretContext(organizationId)) };
}

async function open(key: CryptoKey, blob: unknown, organizationId: number): Promise<string> {
  if (!isEncryptedBlob(blob)) throw new Error("stored signing secret is not an encrypted blob");
  const secret = await decryptJson(key, blob, signingSecretContext(organizationId));
  if (typeof secret !== "string") throw new Error("stored signing secret is not a string");
  return secret;
}

const ok = {
  description: "The current secret",
  content: { "application/json": { schema: SigningSecret } },
};

export const signingSecretRoutes = newRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/signing-secret",
      summary: "The current signing secret (created on first use)",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey],
      responses: { 200: ok, ...problems(401, 500) },
    }),
    async (c) => {
      const organizationId = c.get("organizationId");
      const key = await requireEncryptionKey(getConfig(c.env));
      const db = dbOf(c);
      let blob = await currentSigningSecret(db, organizationId);
      if (blob === null) {
        const fresh = await sealNewSigningSecret(key, organizationId);
        blob = await ensureSigningSecret(db, organizationId, fresh.blob);
      }
      return c.json({ secret: await open(key, blob, organizationId) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/signing-secret/rotate",
      summary: `Rotate: a new secret signs from now on; the old one also signs for ${ROTATION_OVERLAP_HOURS} hours`,
      security: API_KEY_SECURITY,
      middleware: [requireApiKey],
      responses: { 200: { ...ok, description: "The new secret" }, ...problems(401, 500) },
    }),
    async (c) => {
      const organizationId = c.get("organizationId");
      const key = await requireEncryptionKey(getConfig(c.env));
      const fresh = await sealNewSigningSecret(key, organizationId);
      await rotateSigningSecret(dbOf(c), organizationId, fresh.blob);
      return c.json({ secret: fresh.secret }, 200);
    },
  );
