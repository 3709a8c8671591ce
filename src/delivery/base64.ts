/**
 * Base64 and hex codecs over Uint8Array, for WebCrypto keys, IVs and signatures.
 * Plain `btoa`/`atob` so the module runs unchanged in workerd and Node.
 */

const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/;

/** Standard base64 (RFC 4648 §4, padded) of some bytes. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  // Chunked so a large buffer does not overflow the argument list of fromCharCode.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Decodes standard or url-safe base64 (RFC 4648 §4/§5), padding optional; null when malformed. */
export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> | null {
  let normalised = text.replace(/-/g, "+").replace(/_/g, "/");
  if (!BASE64_CHARS.test(normalised)) return null;
  normalised = normalised.replace(/=+$/, "");
  if (normalised.length % 4 === 1) return null;
  normalised += "=".repeat((4 - (normalised.length % 4)) % 4);
  try {
    const binary = atob(normalised);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return null;
  }
}

/** Decodes an even-length hex string; null when malformed. */
export function hexToBytes(text: string): Uint8Array<ArrayBuffer> | null {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return null;
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  }
  return bytes;
}

/** Base64 of the UTF-8 bytes of a string (what HTTP Basic auth needs, RFC 7617 §2.1). */
export function utf8ToBase64(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}
