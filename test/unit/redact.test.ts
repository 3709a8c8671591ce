import { describe, expect, it } from "vitest";
import {
  capLine,
  describeError,
  redactHeaders,
  redactPayload,
  urlOrigin,
} from "../../src/delivery/redact";

describe("urlOrigin", () => {
  it("logs only the scheme, host and port", () => {
    expect(urlOrigin("https://crm.example.com/hooks/calls?token=abc#x")).toBe(
      "https://crm.example.com",
    );
    expect(urlOrigin("http://user:pw@10.0.0.5:8080/path")).toBe("http://10.0.0.5:8080");
    expect(urlOrigin("https://example.com:443/x")).toBe("https://example.com");
  });

  it("never echoes an unparseable url", () => {
    expect(urlOrigin("not a url /secret?token=1")).toBe("<invalid url>");
    expect(urlOrigin("")).toBe("<invalid url>");
    expect(urlOrigin("mailto:someone@example.com")).toBe("<invalid url>");
  });
});

describe("redactHeaders", () => {
  it("redacts every value except content-type and x-dograh-*, in any case", () => {
    expect(
      redactHeaders({
        "Content-Type": "application/json",
        authorization: "Bearer abc",
        "X-Source": "dograh",
        "X-Dograh-Delivery-Id": "d-1",
        "x-dograh-delivery-attempt": "2",
        "webhook-signature": "v1,abc",
      }),
    ).toEqual({
      "Content-Type": "application/json",
      authorization: "[REDACTED]",
      "X-Source": "[REDACTED]",
      "X-Dograh-Delivery-Id": "d-1",
      "x-dograh-delivery-attempt": "2",
      "webhook-signature": "[REDACTED]",
    });
  });
});

describe("redactPayload", () => {
  it("keeps the payload's shape while redacting sensitive fields", () => {
    const payload = {
      call_id: 42,
      disposition: "interested",
      customer: {
        Email: "ada@example.com",
        "phone-number": "+15550100",
        mobileNumber: "+15550101",
        home_address: { city: "Paris" },
        date_of_birth: "1815-12-10",
        SSN: "123-45-6789",
        card_number: "4111",
        cvv: "123",
        CVC2: "456",
      },
      auth: { api_key: "k", "Access-Key": "a", private_key: "p", client_secret: "c" },
      list: [{ password: "pw", ok: true }, 3, null],
      signature: "sig",
      session_token: "tok",
      Authorization: "Bearer x",
      cookie: "c=1",
      credentials: ["x"],
    };
    expect(redactPayload(payload)).toEqual({
      call_id: 42,
      disposition: "interested",
      customer: {
        Email: "[REDACTED]",
        "phone-number": "[REDACTED]",
        mobileNumber: "[REDACTED]",
        home_address: "[REDACTED]",
        date_of_birth: "[REDACTED]",
        SSN: "[REDACTED]",
        card_number: "[REDACTED]",
        cvv: "[REDACTED]",
        CVC2: "[REDACTED]",
      },
      auth: {
        api_key: "[REDACTED]",
        "Access-Key": "[REDACTED]",
        private_key: "[REDACTED]",
        client_secret: "[REDACTED]",
      },
      list: [{ password: "[REDACTED]", ok: true }, 3, null],
      signature: "[REDACTED]",
      session_token: "[REDACTED]",
      Authorization: "[REDACTED]",
      cookie: "[REDACTED]",
      credentials: "[REDACTED]",
    });
  });

  it("redacts url values whatever the field name", () => {
    expect(
      redactPayload({
        recording: "https://files.example.com/rec.wav?sig=abc",
        note: "see http://example.com/x",
        callback_url: "ftp-ish text",
        redirectUri: "/relative",
        list: ["HTTPS://EXAMPLE.COM", "plain"],
        label: "https is a protocol",
      }),
    ).toEqual({
      recording: "[REDACTED]",
      note: "[REDACTED]",
      callback_url: "[REDACTED]",
      redirectUri: "[REDACTED]",
      list: ["[REDACTED]", "plain"],
      label: "https is a protocol",
    });
  });

  it("passes scalars and top-level strings through the same rules", () => {
    expect(redactPayload("https://x.example")).toBe("[REDACTED]");
    expect(redactPayload(7)).toBe(7);
    expect(redactPayload(null)).toBe(null);
  });
});

describe("capLine", () => {
  it("leaves short lines alone", () => {
    expect(capLine("short")).toBe("short");
    expect(capLine("x".repeat(8000))).toHaveLength(8000);
  });

  it("cuts long lines at 8,000 characters with a marker", () => {
    const capped = capLine("x".repeat(20_000));
    expect(capped).toHaveLength(8000);
    expect(capped.endsWith("...[truncated]")).toBe(true);
    expect(capLine("abcdefghijklmnopqrstuvwxyz", 20)).toBe("abcdef...[truncated]");
  });

  it("does not split a surrogate pair", () => {
    const capped = capLine(`${"a".repeat(5)}😀${"b".repeat(30)}`, 20);
    expect(capped).toBe("aaaaa...[truncated]");
  });
});

describe("describeError", () => {
  it("describes an error with an empty message by its name", () => {
    const err = new Error("");
    err.name = "ConnectTimeout";
    expect(describeError(err)).toBe("ConnectTimeout (no message)");
  });

  it("includes the message, the code and the cause chain", () => {
    const root = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), {
      code: "ECONNREFUSED",
    });
    const err = new TypeError("fetch failed", { cause: root });
    expect(describeError(err)).toBe(
      "TypeError: fetch failed; caused by Error: connect ECONNREFUSED 127.0.0.1:9 [code ECONNREFUSED]",
    );
  });

  it("never returns an empty string", () => {
    for (const thrown of ["", null, undefined, 0, {}, new Error("")]) {
      expect(describeError(thrown).length, String(thrown)).toBeGreaterThan(0);
    }
    expect(describeError({ reason: "x" })).toBe('{"reason":"x"}');
  });

  it("stops on a cyclic cause chain", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(describeError(a)).toBe("Error: a; caused by Error: b");
  });
});

describe("describeError with database errors", () => {
  it("keeps the statement's start but never the query parameters", () => {
    const err = new Error(
      "Failed query: UPDATE api_keys\n   SET x = $1 WHERE key_hash = $2\nparams: s3cr3t,abc123",
      {
        cause: new Error("connection reset"),
      },
    );
    const text = describeError(err);
    expect(text).toContain("Failed query: UPDATE api_keys SET x = $1 WHERE key_hash = $2");
    expect(text).toContain("caused by Error: connection reset");
    expect(text).not.toContain("s3cr3t");
    expect(text).not.toContain("abc123");
  });
});
