/**
 * Webhook nodes of a workflow definition (`workflow_definitions.workflow_json`). As in the
 * reference, a node that fails validation is a config error for that node only; a disabled
 * node, or one without a URL, is skipped.
 */

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** A validated node, field names as in the definition JSON (and the delivery row). */
export interface WebhookNode {
  id: string;
  name: string;
  enabled: boolean;
  http_method: HttpMethod;
  endpoint_url: string;
  credential_uuid: string | null;
  custom_headers: { key: string; value: string }[];
  payload_template: unknown;
}

export type ParsedWebhookNode =
  | { ok: true; node: WebhookNode }
  | { ok: false; nodeId: string | null; error: string }
  | { ok: "skip"; nodeId: string; reason: "disabled" | "no_url" };

type Fields = Record<string, unknown>;
type Check<T> = { ok: true; value: T } | { ok: false; error: string };

function isObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The nodes with `type == "webhook"` of a definition; [] for anything malformed. */
export function webhookNodes(workflowJson: unknown): unknown[] {
  let definition = workflowJson;
  if (typeof definition === "string") {
    try {
      definition = JSON.parse(definition);
    } catch {
      return [];
    }
  }
  if (!isObject(definition) || !Array.isArray(definition.nodes)) return [];
  return definition.nodes.filter((node) => isObject(node) && node.type === "webhook");
}

function nodeIdOf(node: unknown): string | null {
  if (!isObject(node)) return null;
  if (typeof node.id === "string" && node.id !== "") return node.id;
  return typeof node.id === "number" && Number.isFinite(node.id) ? String(node.id) : null;
}

/** Booleans as pydantic's lax mode reads them (true/false, 1/0, "yes"/"no", ...). */
function parseEnabled(value: unknown): Check<boolean> {
  if (value === undefined || value === null) return { ok: true, value: true };
  if (typeof value === "boolean") return { ok: true, value };
  const text = String(value).trim().toLowerCase();
  if (["1", "true", "t", "yes", "y", "on"].includes(text)) return { ok: true, value: true };
  if (["0", "false", "f", "no", "n", "off"].includes(text)) return { ok: true, value: false };
  return { ok: false, error: "data.enabled must be a boolean" };
}

function parseMethod(value: unknown): Check<HttpMethod> {
  if (value === undefined || value === null || value === "") return { ok: true, value: "POST" };
  const method = typeof value === "string" ? value.trim().toUpperCase() : "";
  return (HTTP_METHODS as readonly string[]).includes(method)
    ? { ok: true, value: method as HttpMethod }
    : { ok: false, error: `data.http_method must be one of ${HTTP_METHODS.join(", ")}` };
}

function optionalString(data: Fields, field: string): Check<string | null> {
  const value = data[field];
  if (value === undefined || value === null) return { ok: true, value: null };
  if (typeof value !== "string") return { ok: false, error: `data.${field} must be a string` };
  return { ok: true, value: value.trim() === "" ? null : value.trim() };
}

function parseHeaders(value: unknown): Check<{ key: string; value: string }[]> {
  if (value === undefined || value === null) return { ok: true, value: [] };
  if (!Array.isArray(value)) return { ok: false, error: "data.custom_headers must be a list" };
  const headers: { key: string; value: string }[] = [];
  for (const [i, entry] of value.entries()) {
    if (!isObject(entry) || typeof entry.key !== "string") {
      return { ok: false, error: `data.custom_headers[${i}].key must be a string` };
    }
    const raw = entry.value;
    if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "boolean") {
      return { ok: false, error: `data.custom_headers[${i}].value must be a string` };
    }
    headers.push({ key: entry.key, value: String(raw) });
  }
  return { ok: true, value: headers };
}

function parseData(id: string, data: Fields): Check<WebhookNode> {
  if (typeof data.name !== "string" || data.name.trim() === "") {
    return { ok: false, error: "data.name is required" };
  }
  const enabled = parseEnabled(data.enabled);
  if (!enabled.ok) return enabled;
  const method = parseMethod(data.http_method);
  if (!method.ok) return method;
  const url = optionalString(data, "endpoint_url");
  if (!url.ok) return url;
  const credential = optionalString(data, "credential_uuid");
  if (!credential.ok) return credential;
  const headers = parseHeaders(data.custom_headers);
  if (!headers.ok) return headers;
  return {
    ok: true,
    value: {
      id,
      name: data.name,
      enabled: enabled.value,
      http_method: method.value,
      endpoint_url: url.value ?? "",
      credential_uuid: credential.value,
      custom_headers: headers.value,
      payload_template: data.payload_template ?? null,
    },
  };
}

/**
 * Validates one webhook node: an error names the bad field; a valid node that is disabled
 * or has no URL is a skip, validated first as the reference does.
 */
export function parseWebhookNode(node: unknown): ParsedWebhookNode {
  const nodeId = nodeIdOf(node);
  if (!isObject(node)) return { ok: false, nodeId, error: "node must be an object" };
  if (nodeId === null) return { ok: false, nodeId, error: "id is required" };
  if (node.type !== "webhook") return { ok: false, nodeId, error: 'type must be "webhook"' };
  if (!isObject(node.data)) return { ok: false, nodeId, error: "data must be an object" };
  const parsed = parseData(nodeId, node.data);
  if (!parsed.ok) return { ok: false, nodeId, error: parsed.error };
  if (!parsed.value.enabled) return { ok: "skip", nodeId, reason: "disabled" };
  if (parsed.value.endpoint_url === "") return { ok: "skip", nodeId, reason: "no_url" };
  return { ok: true, node: parsed.value };
}
