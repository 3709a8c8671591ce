import { describe, expect, it } from "vitest";
import {
  CREDENTIAL_TYPES,
  credentialAuthHeaders,
  parseCredentialData,
} from "../../src/delivery/credentials";

describe("parseCredentialData", () => {
  it("lists the reference's credential types", () => {
    expect([...CREDENTIAL_TYPES]).toEqual([
      "bearer_token",
      "api_key",
      "basic_auth",
      "custom_header",
      "none",
    ]);
  });

  it("accepts each type and fills the default header names", () => {
    expect(parseCredentialData("bearer_token", { token: "t" })).toEqual({
      ok: true,
      type: "bearer_token",
      data: { token: "t" },
    });
    expect(parseCredentialData("api_key", { api_key: "k" })).toMatchObject({
      data: { header_name: "X-API-Key", api_key: "k" },
    });
    expect(parseCredentialData("custom_header", { header_value: "v" })).toMatchObject({
      data: { header_name: "X-Custom", header_value: "v" },
    });
    expect(parseCredentialData("basic_auth", { username: "u", password: "" })).toMatchObject({
      data: { username: "u", password: "" },
    });
    expect(parseCredentialData("none", undefined)).toEqual({ ok: true, type: "none", data: {} });
  });

  it("keeps only the known fields", () => {
    expect(parseCredentialData("bearer_token", { token: "t", extra: 1 })).toMatchObject({
      data: { token: "t" },
    });
  });

  it("names the missing or invalid field", () => {
    const cases: [string, unknown, string][] = [
      ["bearer_token", {}, "credential_data.token is required"],
      ["bearer_token", { token: 5 }, "credential_data.token must be a string"],
      ["api_key", { header_name: "X-Key" }, "credential_data.api_key is required"],
      ["api_key", { api_key: "k", header_name: "Bad Name" }, "credential_data.header_name"],
      ["basic_auth", { password: "p" }, "credential_data.username is required"],
      ["basic_auth", { username: "u" }, "credential_data.password is required"],
      ["basic_auth", { username: "a:b", password: "p" }, "credential_data.username must not"],
      ["custom_header", { header_name: "X-A" }, "credential_data.header_value is required"],
      ["custom_header", { header_value: "a\r\nb" }, "credential_data.header_value must not"],
      ["bearer_token", null, "credential_data must be an object"],
      ["bearer_token", ["t"], "credential_data must be an object"],
      ["oauth2", {}, "credential_type must be one of"],
    ];
    for (const [type, data, message] of cases) {
      const result = parseCredentialData(type, data);
      expect(result.ok, `${type} ${JSON.stringify(data)}`).toBe(false);
      if (!result.ok) expect(result.error).toContain(message);
    }
  });
});

describe("credentialAuthHeaders", () => {
  it("builds a bearer authorization header", () => {
    expect(credentialAuthHeaders("bearer_token", { token: "abc" })).toEqual({
      Authorization: "Bearer abc",
    });
  });

  it("builds basic auth from the utf-8 bytes of user:pass", () => {
    expect(
      credentialAuthHeaders("basic_auth", { username: "Aladdin", password: "open sesame" }),
    ).toEqual({ Authorization: "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==" });
    // RFC 7617 §2.1 example with a non-ASCII user-id, encoded as UTF-8.
    expect(credentialAuthHeaders("basic_auth", { username: "test", password: "123£" })).toEqual({
      Authorization: "Basic dGVzdDoxMjPCow==",
    });
  });

  it("uses the api key and custom header names, with their defaults", () => {
    expect(credentialAuthHeaders("api_key", { api_key: "k1" })).toEqual({ "X-API-Key": "k1" });
    expect(credentialAuthHeaders("api_key", { api_key: "k1", header_name: "X-Token" })).toEqual({
      "X-Token": "k1",
    });
    expect(credentialAuthHeaders("custom_header", { header_value: "v" })).toEqual({
      "X-Custom": "v",
    });
  });

  it("adds nothing for none or unusable data", () => {
    expect(credentialAuthHeaders("none", {})).toEqual({});
    expect(credentialAuthHeaders("bearer_token", {})).toEqual({});
    expect(credentialAuthHeaders("mystery", { token: "x" })).toEqual({});
  });
});
