import { describe, expect, it } from "vitest";
import { bytesToBase64 } from "../../src/delivery/base64";
import {
  decryptJson,
  type EncryptedBlob,
  encryptJson,
  isEncryptedBlob,
  parseEncryptionKey,
} from "../../src/delivery/encryption";

const KEY_BYTES = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
const KEY_B64 = bytesToBase64(KEY_BYTES);
const KEY_HEX = Array.from(KEY_BYTES, (b) => b.toString(16).padStart(2, "0")).join("");

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

function flipFirstByte(b64: string): string {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  return bytesToBase64(bytes);
}

describe("parseEncryptionKey", () => {
  it("accepts 32 bytes as standard base64, url-safe base64 or hex", async () => {
    const urlSafe = KEY_B64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    for (const raw of [KEY_B64, urlSafe, KEY_HEX, ` ${KEY_B64}\n`]) {
      const key = await parseEncryptionKey(raw);
      expect(key.algorithm.name).toBe("AES-GCM");
    }
    // The value the test configuration uses.
    await parseEncryptionKey("dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMzJiISE=");
  });

  it("gives the same key whichever encoding is used", async () => {
    const blob = await encryptJson(await parseEncryptionKey(KEY_HEX), { a: 1 });
    expect(await decryptJson(await parseEncryptionKey(KEY_B64), blob)).toEqual({ a: 1 });
  });

  it("refuses missing, malformed and wrong-length keys, naming the variable but not the value", async () => {
    const cases: [string | undefined, string][] = [
      [undefined, "is not set"],
      ["   ", "is not set"],
      ["not*base64!", "neither base64 nor hex"],
      [bytesToBase64(new Uint8Array(16)), "got 16"],
      ["ab".repeat(31), "got 31"],
    ];
    for (const [raw, problem] of cases) {
      const err = await rejection(parseEncryptionKey(raw));
      expect(err.message).toContain("CREDENTIALS_ENCRYPTION_KEY");
      expect(err.message).toContain(problem);
      if (raw?.trim()) expect(err.message).not.toContain(raw.trim());
    }
  });
});

describe("encryptJson / decryptJson", () => {
  it("round-trips json values", async () => {
    const key = await parseEncryptionKey(KEY_B64);
    for (const value of [{ token: "s3cret", n: [1, 2] }, "whsec_abc", 0, null]) {
      const blob = await encryptJson(key, value, "cred-1");
      expect(isEncryptedBlob(blob)).toBe(true);
      expect(blob.v).toBe(1);
      expect(blob.alg).toBe("A256GCM");
      expect(atob(blob.iv)).toHaveLength(12);
      expect(JSON.stringify(blob)).not.toContain("s3cret");
      expect(await decryptJson(key, blob, "cred-1")).toEqual(value);
    }
  });

  it("uses a fresh iv every time", async () => {
    const key = await parseEncryptionKey(KEY_B64);
    const a = await encryptJson(key, { token: "same" });
    const b = await encryptJson(key, { token: "same" });
    expect(a.iv).not.toBe(b.iv);
    expect(a.ct).not.toBe(b.ct);
  });

  it("detects tampered ciphertext or iv", async () => {
    const key = await parseEncryptionKey(KEY_B64);
    const blob = await encryptJson(key, { token: "t" });
    const tampered: EncryptedBlob[] = [
      { ...blob, ct: flipFirstByte(blob.ct) },
      { ...blob, iv: flipFirstByte(blob.iv) },
    ];
    for (const bad of tampered) {
      const err = await rejection(decryptJson(key, bad));
      expect(err.message).toContain("decryption failed");
    }
  });

  it("refuses the wrong key or the wrong additional data", async () => {
    const key = await parseEncryptionKey(KEY_B64);
    const other = await parseEncryptionKey(bytesToBase64(new Uint8Array(32).fill(9)));
    const blob = await encryptJson(key, { token: "t" }, "cred-1");
    await rejection(decryptJson(other, blob, "cred-1"));
    await rejection(decryptJson(key, blob, "cred-2"));
    await rejection(decryptJson(key, blob));
  });

  it("refuses malformed blobs", async () => {
    const key = await parseEncryptionKey(KEY_B64);
    const err = await rejection(decryptJson(key, { v: 1, alg: "A256GCM", iv: "!!", ct: "AA" }));
    expect(err.message).toContain("malformed");
  });
});

describe("isEncryptedBlob", () => {
  it("tells blobs from legacy plaintext credential data", () => {
    expect(isEncryptedBlob({ v: 1, alg: "A256GCM", iv: "a", ct: "b" })).toBe(true);
    expect(isEncryptedBlob({ token: "plain" })).toBe(false);
    expect(isEncryptedBlob({ v: 2, alg: "A256GCM", iv: "a", ct: "b" })).toBe(false);
    expect(isEncryptedBlob(null)).toBe(false);
    expect(isEncryptedBlob("string")).toBe(false);
  });
});
