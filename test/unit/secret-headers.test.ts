import { describe, expect, it } from "vitest";
import { isSecretHeaderName, partitionCustomHeaders } from "../../src/delivery/secret-headers";

describe("isSecretHeaderName", () => {
  it("flags every reference marker, in any case and with padding", () => {
    const secret = [
      "Authorization",
      "X-Custom-Auth-Token",
      "X-Token",
      "Client-Secret",
      "X-Password",
      "X-Passwd",
      "Cookie",
      "X-Credential",
      "My-Api-Key",
      "X-APIKEY",
      "x_api_key",
      "X-Access-Key",
      "  PROXY-AUTHORIZATION  ",
    ];
    for (const name of secret) expect(isSecretHeaderName(name), name).toBe(true);
  });

  it("keeps benign headers, X-Idempotency-Key included", () => {
    for (const name of ["X-Idempotency-Key", "X-Source", "Accept", "X-Request-Id", "Key"]) {
      expect(isSecretHeaderName(name), name).toBe(false);
    }
  });
});

describe("partitionCustomHeaders", () => {
  it("drops secret headers and keeps the others in order", () => {
    const result = partitionCustomHeaders([
      { key: "X-Source", value: "dograh" },
      { key: "Authorization", value: "Bearer abc" },
      { key: "X-Idempotency-Key", value: "k-1" },
      { key: "X-API-Key", value: "s3cret" },
    ]);
    expect(result.kept).toEqual([
      { key: "X-Source", value: "dograh" },
      { key: "X-Idempotency-Key", value: "k-1" },
    ]);
    expect(result.dropped).toEqual(["Authorization", "X-API-Key"]);
    expect(result.droppedReasons.map((d) => d.reason)).toEqual(["secret", "secret"]);
  });

  it("tolerates null and garbage input", () => {
    expect(partitionCustomHeaders(null)).toEqual({ kept: [], dropped: [], droppedReasons: [] });
    expect(partitionCustomHeaders({ key: "X-A", value: "1" }).kept).toEqual([]);
    const result = partitionCustomHeaders([
      null,
      42,
      "X-A: 1",
      { value: "no key" },
      { key: "", value: "empty key" },
      { key: "   ", value: "blank key" },
      { key: 7, value: "numeric key" },
      { key: "X-No-Value" },
      { key: "X-Empty-Value", value: "" },
      { key: "X-Object-Value", value: { a: 1 } },
    ]);
    expect(result).toEqual({ kept: [], dropped: [], droppedReasons: [] });
  });

  it("coerces number and boolean values to strings and trims names", () => {
    const result = partitionCustomHeaders([
      { key: " X-Count ", value: 3 },
      { key: "X-Flag", value: false },
    ]);
    expect(result.kept).toEqual([
      { key: "X-Count", value: "3" },
      { key: "X-Flag", value: "false" },
    ]);
  });

  it("drops and lists names that are not http tokens, and values with line breaks", () => {
    const result = partitionCustomHeaders([
      { key: "X Bad Name", value: "1" },
      { key: "X-Bad:Colon", value: "1" },
      { key: "X-Émoji", value: "1" },
      { key: "X-Split", value: "a\r\nX-Injected: 1" },
    ]);
    expect(result.kept).toEqual([]);
    expect(result.droppedReasons).toEqual([
      { name: "X Bad Name", reason: "invalid_name" },
      { name: "X-Bad:Colon", reason: "invalid_name" },
      { name: "X-Émoji", reason: "invalid_name" },
      { name: "X-Split", reason: "invalid_value" },
    ]);
  });

  it("drops headers the service sets itself or the http client owns", () => {
    const result = partitionCustomHeaders([
      { key: "X-Dograh-Delivery-Id", value: "forged" },
      { key: "webhook-signature", value: "v1,forged" },
      { key: "Host", value: "internal" },
      { key: "Content-Length", value: "1" },
      { key: "Content-Type", value: "application/vnd.api+json" },
    ]);
    expect(result.kept).toEqual([{ key: "Content-Type", value: "application/vnd.api+json" }]);
    expect(result.dropped).toEqual([
      "X-Dograh-Delivery-Id",
      "webhook-signature",
      "Host",
      "Content-Length",
    ]);
  });
});
