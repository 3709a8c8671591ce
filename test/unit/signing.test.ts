import { describe, expect, it } from "vitest";
import { generateSigningSecret, signWebhook, verifyWebhook } from "../../src/delivery/signing";

// The Standard Webhooks specification's own example.
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TIMESTAMP = 1614265330;
const BODY = '{"test": 2432232314}';
const EXPECTED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

describe("signWebhook", () => {
  it("matches the standard webhooks test vector", async () => {
    expect(await signWebhook([SECRET], MSG_ID, TIMESTAMP, BODY)).toBe(EXPECTED);
  });

  it("signs with every secret, space separated, during rotation", async () => {
    const other = generateSigningSecret();
    const header = await signWebhook([other, SECRET], MSG_ID, TIMESTAMP, BODY);
    const parts = header.split(" ");
    expect(parts).toHaveLength(2);
    expect(parts[1]).toBe(EXPECTED);
    expect(parts[0]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it("changes when any signed part changes", async () => {
    expect(await signWebhook([SECRET], MSG_ID, TIMESTAMP + 1, BODY)).not.toBe(EXPECTED);
    expect(await signWebhook([SECRET], `${MSG_ID}x`, TIMESTAMP, BODY)).not.toBe(EXPECTED);
    expect(await signWebhook([SECRET], MSG_ID, TIMESTAMP, `${BODY} `)).not.toBe(EXPECTED);
  });

  it("gives an empty header without secrets and refuses a malformed secret", async () => {
    expect(await signWebhook([], MSG_ID, TIMESTAMP, BODY)).toBe("");
    await expect(signWebhook(["whsec_!!!"], MSG_ID, TIMESTAMP, BODY)).rejects.toThrow(
      /not a whsec_ value/,
    );
  });
});

describe("generateSigningSecret", () => {
  it("is whsec_ plus base64 of 24 random bytes", () => {
    const a = generateSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(atob(a.slice(6))).toHaveLength(24);
    expect(generateSigningSecret()).not.toBe(a);
  });
});

describe("verifyWebhook", () => {
  it("accepts the test vector and any matching entry of a multi-signature header", async () => {
    expect(await verifyWebhook(SECRET, MSG_ID, TIMESTAMP, BODY, EXPECTED)).toBe(true);
    const header = `v1,bm90IGl0 ${EXPECTED} v2,whatever`;
    expect(await verifyWebhook(SECRET, MSG_ID, TIMESTAMP, BODY, header)).toBe(true);
  });

  it("rejects another body, secret or signature version", async () => {
    expect(await verifyWebhook(SECRET, MSG_ID, TIMESTAMP, "{}", EXPECTED)).toBe(false);
    const other = generateSigningSecret();
    expect(await verifyWebhook(other, MSG_ID, TIMESTAMP, BODY, EXPECTED)).toBe(false);
    const v2 = EXPECTED.replace("v1,", "v2,");
    expect(await verifyWebhook(SECRET, MSG_ID, TIMESTAMP, BODY, v2)).toBe(false);
  });

  it("rejects timestamps outside the tolerance when given now", async () => {
    const near = new Date((TIMESTAMP + 60) * 1000);
    const far = new Date((TIMESTAMP + 3600) * 1000);
    expect(await verifyWebhook(SECRET, MSG_ID, TIMESTAMP, BODY, EXPECTED, { now: near })).toBe(
      true,
    );
    expect(await verifyWebhook(SECRET, MSG_ID, TIMESTAMP, BODY, EXPECTED, { now: far })).toBe(
      false,
    );
  });
});
