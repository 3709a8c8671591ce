import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config";

const base = { DATABASE_URL: "postgres://u:p@db.example.com/app" };

describe("parseConfig", () => {
  it("applies the contract's defaults", () => {
    expect(parseConfig(base)).toMatchObject({
      maxAttempts: 5,
      baseDelaySeconds: 30,
      maxDelaySeconds: 600,
      timeoutSeconds: 30,
      allowPrivateNetworks: false,
      leaseSeconds: 90,
      localSqlEndpoint: null,
      logLevel: "info",
    });
  });

  it("accepts fractions where the contract allows them", () => {
    const config = parseConfig({
      ...base,
      WEBHOOK_DELIVERY_BASE_DELAY_SECONDS: "0.5",
      WEBHOOK_DELIVERY_TIMEOUT_SECONDS: "2.5",
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: "TRUE",
    });
    expect(config).toMatchObject({
      baseDelaySeconds: 0.5,
      timeoutSeconds: 2.5,
      allowPrivateNetworks: true,
    });
  });

  it.each([
    ["WEBHOOK_DELIVERY_MAX_ATTEMPTS", "3.5", /WEBHOOK_DELIVERY_MAX_ATTEMPTS must be an integer/],
    ["WEBHOOK_DELIVERY_MAX_ATTEMPTS", "0", /WEBHOOK_DELIVERY_MAX_ATTEMPTS must be between 1 and/],
    [
      "WEBHOOK_DELIVERY_BASE_DELAY_SECONDS",
      "soon",
      /WEBHOOK_DELIVERY_BASE_DELAY_SECONDS must be a number/,
    ],
    [
      "WEBHOOK_DELIVERY_MAX_DELAY_SECONDS",
      "10",
      /WEBHOOK_DELIVERY_MAX_DELAY_SECONDS \(10\) must not be below/,
    ],
    ["WEBHOOK_DELIVERY_TIMEOUT_SECONDS", "-1", /WEBHOOK_DELIVERY_TIMEOUT_SECONDS must be between/],
    [
      "WEBHOOK_ALLOW_PRIVATE_NETWORKS",
      "maybe",
      /WEBHOOK_ALLOW_PRIVATE_NETWORKS must be true or false/,
    ],
    ["DATABASE_URL", "mysql://x@y/z", /DATABASE_URL must start with postgres:\/\//],
    ["DATABASE_URL", "", /DATABASE_URL is not set/],
    ["LOCAL_SQL_ENDPOINT", "ftp://x", /LOCAL_SQL_ENDPOINT must be an http\(s\) URL/],
    ["LOG_LEVEL", "loud", /LOG_LEVEL must be one of/],
  ])("refuses %s=%s with a message naming it", (name, value, message) => {
    const attempt = () => parseConfig({ ...base, [name]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
  });

  it("never echoes the database URL's credentials", () => {
    const attempt = () => parseConfig({ DATABASE_URL: "https://user:hunter2@example.com" });
    expect(attempt).toThrow(/DATABASE_URL/);
    try {
      attempt();
    } catch (err) {
      expect(String(err)).not.toContain("hunter2");
    }
  });
});
