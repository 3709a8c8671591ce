/**
 * API keys: `whk_` + 32 base64url characters of randomness (192 bits). Only the SHA-256 hex of
 * the key is stored (`api_keys.key_hash`), with its first 12 characters as a display prefix, so
 * a database leak does not leak usable keys. local/dev-org.mjs stores the dev key the same way.
 */

export const API_KEY_PREFIX = "whk_";
const RANDOM_BYTES = 24; // 24 bytes -> exactly 32 base64url characters
export const KEY_PREFIX_CHARS = 12;
/** Longest bearer token looked up at all; longer ones are malformed without a database trip. */
const MAX_TOKEN_CHARS = 1024;
/** Visible ASCII: a superset of RFC 6750's b64token, so any ADMIN_TOKEN or DEV_API_KEY works. */
const TOKEN_CHARS = /^[\x21-\x7e]+$/;

/** A fresh API key with what the database stores about it. */
export interface NewApiKey {
  key: string;
  keyHash: string;
  keyPrefix: string;
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** SHA-256 hex of the UTF-8 key: what `api_keys.key_hash` holds. */
export async function hashApiKey(key: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)));
}

/** Generates a new API key (shown once) with its hash and display prefix. */
export async function generateApiKey(): Promise<NewApiKey> {
  const key = API_KEY_PREFIX + base64url(crypto.getRandomValues(new Uint8Array(RANDOM_BYTES)));
  return { key, keyHash: await hashApiKey(key), keyPrefix: key.slice(0, KEY_PREFIX_CHARS) };
}

/**
 * The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), or null when the
 * header is missing or malformed. The `whk_` shape is not required: DEV_API_KEY may be anything.
 */
export function bearerToken(header: string | undefined | null): string | null {
  if (!header) return null;
  const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header.trim());
  const token = match?.[1];
  if (!token || token.length > MAX_TOKEN_CHARS || !TOKEN_CHARS.test(token)) return null;
  return token;
}

/** Compares two strings in constant time (their SHA-256 digests, so lengths may differ). */
export async function constantTimeEqual(a: string, b: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [da, db] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(da, db);
}
