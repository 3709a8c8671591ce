/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com, "Signature scheme"):
 * `v1,` + base64 HMAC-SHA256 of `{msg_id}.{timestamp}.{body}`, keyed by the base64 part
 * of a `whsec_` secret; several secrets sign side by side during rotation.
 */
import { base64ToBytes, bytesToBase64 } from "./base64";

const SECRET_PREFIX = "whsec_";
const SECRET_BYTES = 24;
/** The specification's default tolerance for `webhook-timestamp` drift. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/** A new signing secret: "whsec_" + base64 of 24 random bytes. */
export function generateSigningSecret(): string {
  return SECRET_PREFIX + bytesToBase64(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

async function hmacKey(secret: string): Promise<CryptoKey> {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const bytes = base64ToBytes(encoded);
  if (bytes === null || bytes.length === 0) {
    // Never echo the secret itself.
    throw new Error("signing secret is not a whsec_ value with a base64 key");
  }
  return crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

async function signOne(secret: string, content: Uint8Array<ArrayBuffer>): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), content);
  return `v1,${bytesToBase64(new Uint8Array(mac))}`;
}

function signedContent(
  msgId: string,
  timestampSeconds: number,
  body: string,
): Uint8Array<ArrayBuffer> {
  // Copied into a fresh ArrayBuffer-backed array, which every runtime's typings accept.
  return new Uint8Array(
    new TextEncoder().encode(`${msgId}.${Math.floor(timestampSeconds)}.${body}`),
  );
}

/** The `webhook-signature` header value: one space-separated `v1,<sig>` per secret. */
export async function signWebhook(
  secrets: string[],
  msgId: string,
  timestampSeconds: number,
  body: string,
): Promise<string> {
  const content = signedContent(msgId, timestampSeconds, body);
  const signatures = await Promise.all(secrets.map((secret) => signOne(secret, content)));
  return signatures.join(" ");
}

/** Compares two strings in time independent of where they differ. */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * True when any `v1,` entry of a `webhook-signature` header matches `secret`. With `opts.now`
 * it also refuses timestamps outside the tolerance, as the specification asks receivers to.
 */
export async function verifyWebhook(
  secret: string,
  msgId: string,
  timestampSeconds: number,
  body: string,
  signatureHeader: string,
  opts?: { now: Date; toleranceSeconds?: number },
): Promise<boolean> {
  if (opts) {
    const drift = Math.abs(opts.now.getTime() / 1000 - timestampSeconds);
    if (drift > (opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  }
  const expected = await signOne(secret, signedContent(msgId, timestampSeconds, body));
  return signatureHeader
    .split(" ")
    .filter((entry) => entry.startsWith("v1,"))
    .some((entry) => constantTimeEqual(entry, expected));
}
