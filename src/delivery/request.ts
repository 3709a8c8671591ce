/**
 * The HTTP request of one delivery attempt, with the reference's header order and
 * precedence, plus Standard Webhooks `webhook-id`/`webhook-timestamp`/`webhook-signature`.
 */
import { isReservedHeaderName } from "./secret-headers";
import { signWebhook } from "./signing";

export interface DeliveryRequestInput {
  deliveryUuid: string;
  workflowRunId: number | null;
  attempt: number;
  endpointUrl: string;
  httpMethod: string;
  payload: unknown;
  customHeaders: { key: string; value: string }[];
  credentialHeaders: Record<string, string>;
  signingSecrets: string[];
  now: Date;
}

export interface DeliveryRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** Methods that carry the JSON payload as their body (the reference's list). */
const METHODS_WITH_BODY: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH"]);

/** Sets a header, replacing any earlier one that differs only in case (field names are
 * case-insensitive, RFC 9110 §5.1). */
function setHeader(headers: Record<string, string>, name: string, value: string): void {
  const lower = name.toLowerCase();
  for (const existing of Object.keys(headers)) {
    if (existing.toLowerCase() === lower) delete headers[existing];
  }
  headers[name] = value;
}

/** The body sent for a method: JSON text for POST/PUT/PATCH, none for GET/DELETE. */
export function requestBody(method: string, payload: unknown): string | undefined {
  return METHODS_WITH_BODY.has(method) ? (JSON.stringify(payload) ?? "null") : undefined;
}

/** The User-Agent of every delivery request. */
export const USER_AGENT = "Dograh-Webhooks/1.0 (+https://www.standardwebhooks.com)";

/**
 * Builds one attempt's request. Stored and credential headers may not shadow the
 * X-Dograh-* and webhook-* headers, which receivers use to dedupe and verify.
 */
export async function buildDeliveryRequest(input: DeliveryRequestInput): Promise<DeliveryRequest> {
  const method = (input.httpMethod || "POST").trim().toUpperCase();
  const body = requestBody(method, input.payload);
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    // Tells receivers (and their firewalls) who is calling; a custom header may replace it.
    "User-Agent": USER_AGENT,
  };
  const stored = [
    ...Object.entries(input.credentialHeaders),
    ...input.customHeaders.map((h): [string, string] => [h.key, h.value]),
  ];
  for (const [name, value] of stored) {
    if (name && value && !isReservedHeaderName(name)) setHeader(headers, name, value);
  }
  headers["X-Dograh-Delivery-Id"] = input.deliveryUuid;
  if (input.workflowRunId !== null) {
    headers["X-Dograh-Workflow-Run-Id"] = String(input.workflowRunId);
  }
  headers["X-Dograh-Delivery-Attempt"] = String(input.attempt);
  const timestamp = Math.floor(input.now.getTime() / 1000);
  headers["webhook-id"] = input.deliveryUuid;
  headers["webhook-timestamp"] = String(timestamp);
  if (input.signingSecrets.length > 0) {
    // Sign exactly the bytes sent; a bodyless request signs the empty string.
    headers["webhook-signature"] = await signWebhook(
      input.signingSecrets,
      input.deliveryUuid,
      timestamp,
      body ?? "",
    );
  }
  return { url: input.endpointUrl, method, headers, body };
}
