/**
 * Credential secrets at rest: AES-256-GCM (NIST SP 800-38D) through WebCrypto, a fresh
 * 96-bit IV per encryption, and optional additional data binding a blob to its row.
 */
import { base64ToBytes, bytesToBase64, hexToBytes } from "./base64";

export interface EncryptedBlob {
  v: 1;
  alg: "A256GCM";
  iv: string;
  ct: string;
}

const KEY_VARIABLE = "CREDENTIALS_ENCRYPTION_KEY";
const KEY_BYTES = 32;
const IV_BYTES = 12;

function decodeKeyText(text: string): Uint8Array<ArrayBuffer> | null {
  // Hex digits are valid base64 too, so an even run of them is read as hex first. A 32-byte
  // key in base64 is 43 characters, or 44 with "=", so it never looks like that.
  if (/^(?:[0-9a-fA-F]{2})+$/.test(text)) return hexToBytes(text);
  return base64ToBytes(text);
}

/**
 * Imports the 32-byte key from base64 (standard or url-safe) or hex; the error names
 * CREDENTIALS_ENCRYPTION_KEY and what is wrong, never the value.
 */
export async function parseEncryptionKey(raw: string | undefined): Promise<CryptoKey> {
  const text = raw?.trim() ?? "";
  if (text === "") {
    throw new Error(
      `${KEY_VARIABLE} is not set; set it to 32 random bytes as base64 (e.g. \`openssl rand -base64 32\`)`,
    );
  }
  const bytes = decodeKeyText(text);
  if (bytes === null) {
    throw new Error(`${KEY_VARIABLE} is neither base64 nor hex; expected 32 bytes in one of those`);
  }
  if (bytes.length !== KEY_BYTES) {
    throw new Error(
      `${KEY_VARIABLE} must decode to exactly ${KEY_BYTES} bytes (AES-256), got ${bytes.length}`,
    );
  }
  return crypto.subtle.importKey("raw", bytes, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
}

function gcmParams(iv: Uint8Array<ArrayBuffer>, aad: string | undefined) {
  return aad === undefined
    ? { name: "AES-GCM", iv }
    : { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(aad) };
}

/** Encrypts a JSON value; `aad` (e.g. the credential uuid) must match again on decryption. */
export async function encryptJson(
  key: CryptoKey,
  value: unknown,
  aad?: string,
): Promise<EncryptedBlob> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plaintext = new TextEncoder().encode(JSON.stringify(value) ?? "null");
  const ciphertext = await crypto.subtle.encrypt(gcmParams(iv, aad), key, plaintext);
  return {
    v: 1,
    alg: "A256GCM",
    iv: bytesToBase64(iv),
    ct: bytesToBase64(new Uint8Array(ciphertext)),
  };
}

/** True for the stored shape of an encrypted value (as opposed to legacy plaintext JSON). */
export function isEncryptedBlob(x: unknown): x is EncryptedBlob {
  if (typeof x !== "object" || x === null) return false;
  const blob = x as Record<string, unknown>;
  return (
    blob.v === 1 &&
    blob.alg === "A256GCM" &&
    typeof blob.iv === "string" &&
    typeof blob.ct === "string"
  );
}

/** Decrypts and parses a blob; throws when the key, the additional data or the bytes differ. */
export async function decryptJson(
  key: CryptoKey,
  blob: EncryptedBlob,
  aad?: string,
): Promise<unknown> {
  if (!isEncryptedBlob(blob)) throw new Error("not an encrypted credential blob");
  const iv = base64ToBytes(blob.iv);
  const ciphertext = base64ToBytes(blob.ct);
  if (iv === null || iv.length !== IV_BYTES || ciphertext === null) {
    throw new Error("encrypted credential blob is malformed");
  }
  let plaintext: ArrayBuffer;
  try {
    plaintext = await crypto.subtle.decrypt(gcmParams(iv, aad), key, ciphertext);
  } catch (cause) {
    // GCM authentication failed: wrong key, wrong additional data, or tampered bytes.
    throw new Error("credential decryption failed (wrong key, wrong context or tampered data)", {
      cause,
    });
  }
  return JSON.parse(new TextDecoder().decode(plaintext));
}
