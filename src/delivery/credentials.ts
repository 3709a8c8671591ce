/**
 * Credential types of the reference (`external_credentials.credential_type`) and the
 * auth header(s) each produces, re-resolved at send time so rotation applies.
 */
import { utf8ToBase64 } from "./base64";

export const CREDENTIAL_TYPES = [
  "bearer_token",
  "api_key",
  "basic_auth",
  "custom_header",
  "none",
] as const;

export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

/** Field shapes as stored in `external_credentials.credential_data` (same JSON as the reference). */
export interface CredentialDataByType {
  bearer_token: { token: string };
  api_key: { header_name: string; api_key: string };
  basic_auth: { username: string; password: string };
  custom_header: { header_name: string; header_value: string };
  none: Record<string, never>;
}

export type CredentialData = CredentialDataByType[CredentialType];

export type ParsedCredential =
  | { [T in CredentialType]: { ok: true; type: T; data: CredentialDataByType[T] } }[CredentialType]
  | { ok: false; error: string };

/** RFC 9110 §5.6.2 token. */
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

type Fields = Record<string, unknown>;
type FieldResult = { ok: true; value: string } | { ok: false; error: string };

/** True when `type` is one of CREDENTIAL_TYPES. */
export function isCredentialType(type: string): type is CredentialType {
  return (CREDENTIAL_TYPES as readonly string[]).includes(type);
}

function requiredText(data: Fields, field: string, allowEmpty = false): FieldResult {
  const value = data[field];
  if (value === undefined || value === null || (value === "" && !allowEmpty)) {
    return { ok: false, error: `credential_data.${field} is required` };
  }
  if (typeof value !== "string") {
    return { ok: false, error: `credential_data.${field} must be a string` };
  }
  // CR/LF/NUL in a header value would split the request (RFC 9110 §5.5).
  if (/[\r\n\0]/.test(value)) {
    return { ok: false, error: `credential_data.${field} must not contain line breaks` };
  }
  return { ok: true, value };
}

function headerName(data: Fields, fallback: string): FieldResult {
  const value = data.header_name;
  if (value === undefined || value === null || value === "") return { ok: true, value: fallback };
  if (typeof value !== "string" || !HTTP_TOKEN.test(value.trim())) {
    return { ok: false, error: "credential_data.header_name must be a valid HTTP header name" };
  }
  return { ok: true, value: value.trim() };
}

function parseKnown(type: CredentialType, data: Fields): ParsedCredential {
  switch (type) {
    case "bearer_token": {
      const token = requiredText(data, "token");
      return token.ok ? { ok: true, type, data: { token: token.value } } : token;
    }
    case "api_key": {
      const name = headerName(data, "X-API-Key");
      const key = requiredText(data, "api_key");
      if (!name.ok) return name;
      return key.ok
        ? { ok: true, type, data: { header_name: name.value, api_key: key.value } }
        : key;
    }
    case "basic_auth": {
      const username = requiredText(data, "username");
      const password = requiredText(data, "password", true);
      if (!username.ok) return username;
      if (!password.ok) return password;
      // RFC 7617 §2: the user-id cannot contain a colon.
      if (username.value.includes(":")) {
        return { ok: false, error: "credential_data.username must not contain ':'" };
      }
      return { ok: true, type, data: { username: username.value, password: password.value } };
    }
    case "custom_header": {
      const name = headerName(data, "X-Custom");
      const value = requiredText(data, "header_value");
      if (!name.ok) return name;
      if (!value.ok) return value;
      return { ok: true, type, data: { header_name: name.value, header_value: value.value } };
    }
    case "none":
      return { ok: true, type, data: {} };
  }
}

/** Validates `credential_data` for a credential type; the error names the bad field. */
export function parseCredentialData(type: string, data: unknown): ParsedCredential {
  if (!isCredentialType(type)) {
    return { ok: false, error: `credential_type must be one of ${CREDENTIAL_TYPES.join(", ")}` };
  }
  if (type === "none") return { ok: true, type, data: {} };
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return { ok: false, error: "credential_data must be an object" };
  }
  return parseKnown(type, data as Fields);
}

/** The auth header(s) a credential adds to a request; {} for `none` or unusable data. */
export function credentialAuthHeaders(type: string, data: unknown): Record<string, string> {
  const parsed = parseCredentialData(type, data);
  if (!parsed.ok) return {};
  switch (parsed.type) {
    case "bearer_token":
      return { Authorization: `Bearer ${parsed.data.token}` };
    case "api_key":
      return { [parsed.data.header_name]: parsed.data.api_key };
    case "basic_auth": {
      // RFC 7617 §2.1: base64 of the UTF-8 "user-id:password".
      const { username, password } = parsed.data;
      return { Authorization: `Basic ${utf8ToBase64(`${username}:${password}`)}` };
    }
    case "custom_header":
      return { [parsed.data.header_name]: parsed.data.header_value };
    case "none":
      return {};
  }
}
