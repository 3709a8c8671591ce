/**
 * The encryption key and the contexts (AES-GCM additional data) that bind each encrypted secret
 * to its row, shared by the API (which seals) and the delivery path (which opens), so the two
 * can never disagree; and the opening of a delivery's secrets at send time, so rotation and
 * revocation apply to the next attempt. Credential rows written by the reference system hold
 * plaintext JSON and still work.
 */
import type { Config } from "./config";
import type { ClaimedDelivery } from "./db/queries/deliveries";
import { decryptJson, isEncryptedBlob, parseEncryptionKey } from "./delivery/encryption";
import { log } from "./log";

const keys = new Map<string, Promise<CryptoKey>>();

/** The AES-GCM key from CREDENTIALS_ENCRYPTION_KEY (parsed once per isolate). */
export function encryptionKey(config: Config): Promise<CryptoKey> {
  const raw = config.credentialsEncryptionKey ?? "";
  let key = keys.get(raw);
  if (!key) {
    key = parseEncryptionKey(config.credentialsEncryptionKey ?? undefined);
    // A bad key must not be cached as a rejected promise forever if config changes.
    key.catch(() => keys.delete(raw));
    keys.set(raw, key);
  }
  return key;
}

/** AES-GCM additional data of a credential's `credential_data`: its uuid. */
export function credentialContext(credentialUuid: string): string {
  return credentialUuid;
}

/** AES-GCM additional data of an organization's signing secrets. */
export function signingSecretContext(organizationId: number): string {
  return `signing:${organizationId}`;
}

/** The credential's type and decrypted data, or null (missing/inactive: a warning, not a failure). */
export async function openCredential(
  config: Config,
  delivery: ClaimedDelivery,
): Promise<{ type: string; data: unknown } | null> {
  if (!delivery.credential_uuid) return null;
  if (!delivery.credential_type) {
    log("warn", "delivery.credential_missing", {
      delivery_id: delivery.id,
      credential_uuid: delivery.credential_uuid,
      note: "sending without it",
    });
    return null;
  }
  const data = isEncryptedBlob(delivery.credential_data)
    ? await decryptJson(
        await encryptionKey(config),
        delivery.credential_data,
        delivery.credential_uuid,
      )
    : delivery.credential_data;
  return { type: delivery.credential_type, data };
}

/** The organization's signing secrets in plaintext (whsec_...), newest first. */
export async function openSigningSecrets(
  config: Config,
  delivery: ClaimedDelivery,
): Promise<string[]> {
  const blobs = Array.isArray(delivery.signing_secrets) ? delivery.signing_secrets : [];
  if (blobs.length === 0) return [];
  const key = await encryptionKey(config);
  const secrets: string[] = [];
  for (const blob of blobs) {
    if (!isEncryptedBlob(blob)) continue;
    const value = await decryptJson(key, blob, signingSecretContext(delivery.organization_id));
    if (typeof value === "string") secrets.push(value);
  }
  return secrets;
}
