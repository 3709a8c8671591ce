import { LOG_LEVELS, type LogLevel, setLogLevel } from "./log";

/**
 * Worker configuration, parsed once per isolate into a frozen, validated object.
 * Every refusal names the variable and what is wrong with it, never its value when secret.
 */

export interface Config {
  readonly maxAttempts: number;
  readonly baseDelaySeconds: number;
  readonly maxDelaySeconds: number;
  readonly timeoutSeconds: number;
  readonly allowPrivateNetworks: boolean;
  /** Lease held while an attempt is in flight: the timeout plus a margin, as in the reference. */
  readonly leaseSeconds: number;
  readonly databaseUrl: string;
  /** Local runs only: where the Neon driver posts its SQL (the local endpoint). */
  readonly localSqlEndpoint: string | null;
  readonly adminToken: string | null;
  readonly credentialsEncryptionKey: string | null;
  readonly logLevel: LogLevel;
}

/** A configuration value the service refuses to run with. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = "ConfigError";
  }
}

type RawEnv = Partial<Record<string, unknown>>;

const LEASE_MARGIN_SECONDS = 60;

function raw(env: RawEnv, name: string): string | undefined {
  const value = env[name];
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  return text === "" ? undefined : text;
}

function numberVar(
  env: RawEnv,
  name: string,
  fallback: number,
  rule: { integer?: boolean; min: number; max: number },
): number {
  const text = raw(env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  const kind = rule.integer ? "an integer" : "a number";
  if (!Number.isFinite(value) || (rule.integer && !Number.isInteger(value))) {
    throw new ConfigError(name, `must be ${kind}, got "${text}"`);
  }
  if (value < rule.min || value > rule.max) {
    throw new ConfigError(name, `must be between ${rule.min} and ${rule.max}, got ${value}`);
  }
  return value;
}

function booleanVar(env: RawEnv, name: string, fallback: boolean): boolean {
  const text = raw(env, name)?.toLowerCase();
  if (text === undefined) return fallback;
  if (["true", "1", "yes", "on"].includes(text)) return true;
  if (["false", "0", "no", "off"].includes(text)) return false;
  throw new ConfigError(name, `must be true or false, got "${text}"`);
}

function databaseUrlVar(env: RawEnv): string {
  const text = raw(env, "DATABASE_URL");
  if (text === undefined) {
    throw new ConfigError("DATABASE_URL", "is not set (a postgres:// connection string)");
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError("DATABASE_URL", "is not a valid URL");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new ConfigError("DATABASE_URL", `must start with postgres://, not ${url.protocol}//`);
  }
  if (!url.hostname) throw new ConfigError("DATABASE_URL", "has no host");
  return text;
}

function httpUrlVar(env: RawEnv, name: string): string | null {
  const text = raw(env, name);
  if (text === undefined) return null;
  try {
    const url = new URL(text);
    if (url.protocol === "http:" || url.protocol === "https:") return text;
  } catch {
    // fall through to the error below
  }
  throw new ConfigError(name, `must be an http(s) URL, got "${text}"`);
}

function logLevelVar(env: RawEnv): LogLevel {
  const text = raw(env, "LOG_LEVEL")?.toLowerCase();
  if (text === undefined) return "info";
  const level = LOG_LEVELS.find((l) => l === text);
  if (!level)
    throw new ConfigError("LOG_LEVEL", `must be one of ${LOG_LEVELS.join(", ")}, got "${text}"`);
  return level;
}

/** Parses and validates the Worker's variables; throws ConfigError naming the first bad one. */
export function parseConfig(env: RawEnv): Config {
  const baseDelaySeconds = numberVar(env, "WEBHOOK_DELIVERY_BASE_DELAY_SECONDS", 30, {
    min: 0,
    max: 86_400,
  });
  const maxDelaySeconds = numberVar(env, "WEBHOOK_DELIVERY_MAX_DELAY_SECONDS", 600, {
    min: 0,
    max: 604_800,
  });
  if (maxDelaySeconds < baseDelaySeconds) {
    throw new ConfigError(
      "WEBHOOK_DELIVERY_MAX_DELAY_SECONDS",
      `(${maxDelaySeconds}) must not be below WEBHOOK_DELIVERY_BASE_DELAY_SECONDS (${baseDelaySeconds})`,
    );
  }
  const timeoutSeconds = numberVar(env, "WEBHOOK_DELIVERY_TIMEOUT_SECONDS", 30, {
    min: 0.001,
    max: 900,
  });
  return Object.freeze({
    maxAttempts: numberVar(env, "WEBHOOK_DELIVERY_MAX_ATTEMPTS", 5, {
      integer: true,
      min: 1,
      max: 100,
    }),
    baseDelaySeconds,
    maxDelaySeconds,
    timeoutSeconds,
    allowPrivateNetworks: booleanVar(env, "WEBHOOK_ALLOW_PRIVATE_NETWORKS", false),
    leaseSeconds: timeoutSeconds + LEASE_MARGIN_SECONDS,
    databaseUrl: databaseUrlVar(env),
    localSqlEndpoint: httpUrlVar(env, "LOCAL_SQL_ENDPOINT"),
    adminToken: raw(env, "ADMIN_TOKEN") ?? null,
    credentialsEncryptionKey: raw(env, "CREDENTIALS_ENCRYPTION_KEY") ?? null,
    logLevel: logLevelVar(env),
  });
}

const cache = new WeakMap<object, Config>();

/** The config for this env object, parsed on first use (env is stable per isolate). */
export function getConfig(env: object): Config {
  let config = cache.get(env);
  if (!config) {
    config = parseConfig(env as RawEnv);
    cache.set(env, config);
    setLogLevel(config.logLevel);
  }
  return config;
}
