/**
 * One claimed attempt: build the request, send it with the per-attempt timeout, classify the
 * outcome and record it. Outcomes map to writes in exactly one place (`recordOutcome`).
 */
import type { Config } from "../config";
import type { Db } from "../db/client";
import {
  type ClaimedDelivery,
  type RecordedOutcome,
  recordAttempt,
} from "../db/queries/deliveries";
import { classifyAttempt, type Outcome, type SendResult } from "../delivery/classify";
import { credentialAuthHeaders } from "../delivery/credentials";
import { describeError, redactHeaders, redactPayload, urlOrigin } from "../delivery/redact";
import { buildDeliveryRequest } from "../delivery/request";
import { partitionCustomHeaders } from "../delivery/secret-headers";
import { checkTargetUrl } from "../delivery/target-url";
import { HTTP_METHODS } from "../delivery/webhook-node";
import { log } from "../log";
import { openCredential, openSigningSecrets } from "../secrets";

export type AttemptReport =
  | { kind: "busy" }
  | { kind: "not_claimed" }
  /** No such delivery: a task naming it can never work. */
  | { kind: "missing" }
  | { kind: "succeeded"; attempt: number }
  | { kind: "retry_scheduled"; attempt: number; scheduledFor: Date }
  | { kind: "dead_letter"; attempt: number; reason: string }
  | { kind: "unrecorded"; attempt: number; reason: string };

interface AttemptInput {
  env: Env;
  config: Config;
  db: Db;
  delivery: ClaimedDelivery;
}

interface Sent {
  result: SendResult;
  startedAt: Date;
  durationMs: number;
}

/** The stored delivery can never be sent (its target or method is refused): dead-letter at once. */
class UnsendableDelivery extends Error {}

/**
 * The credential or signing secrets could not be opened (CREDENTIALS_ENCRYPTION_KEY missing,
 * invalid or changed): an operator can fix that, so it is retried like a network error, within
 * the attempt budget, instead of dead-lettering every delivery at once.
 */
class SecretsUnavailable extends Error {}

/** Runs a claimed attempt to a recorded outcome; never throws for a receiver's behaviour. */
export async function runAttempt(input: AttemptInput): Promise<AttemptReport> {
  const { config, delivery } = input;
  const attempt = delivery.attempt_count;
  const classify = (result: SendResult) =>
    classifyAttempt(result, attempt, delivery.max_attempts, config, new Date(), Math.random);
  let sent: Sent | null = null;
  let outcome: Outcome;
  try {
    sent = await send(input);
    outcome = classify(sent.result);
  } catch (err) {
    // Only send() throws here, so nothing reached the receiver yet.
    if (err instanceof SecretsUnavailable) {
      const transient = classify({ kind: "network_error", error: err.message });
      outcome =
        transient.kind === "retry"
          ? { ...transient, reason: err.message }
          : { kind: "dead_letter", reason: `attempts exhausted: ${err.message}` };
    } else if (err instanceof UnsendableDelivery) {
      outcome = { kind: "dead_letter", reason: err.message };
    } else {
      // A bug: dead-letter with the reason rather than loop.
      outcome = { kind: "dead_letter", reason: `unexpected error: ${describeError(err)}` };
    }
  }
  return recordOutcome(input, attempt, sent, outcome);
}

async function send(input: AttemptInput): Promise<Sent> {
  const { config, delivery } = input;
  const target = checkTargetUrl(delivery.endpoint_url, config.allowPrivateNetworks);
  if (!target.ok) throw new UnsendableDelivery(target.error);
  if (!(HTTP_METHODS as readonly string[]).includes(delivery.http_method)) {
    throw new UnsendableDelivery(
      `http_method ${JSON.stringify(delivery.http_method)} is not one of ${HTTP_METHODS.join(", ")}`,
    );
  }
  const { credential, signingSecrets } = await openSecrets(input);
  const request = await buildDeliveryRequest({
    deliveryUuid: delivery.delivery_uuid,
    workflowRunId: delivery.workflow_run_id,
    attempt: delivery.attempt_count,
    endpointUrl: delivery.endpoint_url,
    httpMethod: delivery.http_method,
    payload: delivery.payload,
    // Re-filtered at send time too: rows written by older producers may carry secrets.
    customHeaders: partitionCustomHeaders(delivery.custom_headers).kept,
    credentialHeaders: credential ? credentialAuthHeaders(credential.type, credential.data) : {},
    signingSecrets,
    now: new Date(),
  });
  log("info", "delivery.request", {
    delivery_id: delivery.id,
    attempt: delivery.attempt_count,
    method: request.method,
    url: urlOrigin(request.url),
    headers: redactHeaders(request.headers),
    payload: redactPayload(delivery.payload),
  });
  const startedAt = new Date();
  const result = await fetchWithTimeout(request, config.timeoutSeconds * 1000);
  return { result, startedAt, durationMs: Date.now() - startedAt.getTime() };
}

async function openSecrets(input: AttemptInput) {
  try {
    return {
      credential: await openCredential(input.config, input.delivery),
      signingSecrets: await openSigningSecrets(input.config, input.delivery),
    };
  } catch (err) {
    throw new SecretsUnavailable(`could not open the delivery's secrets: ${describeError(err)}`);
  }
}

async function fetchWithTimeout(
  request: {
    url: string;
    method: string;
    headers: Record<string, string>;
    body: string | undefined;
  },
  timeoutMs: number,
): Promise<SendResult> {
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Release the connection without reading the body. Outside the outcome: a receiver that
    // answered 2xx and then reset the stream still accepted the webhook.
    response.body?.cancel().catch(() => {});
    return {
      kind: "response",
      status: response.status,
      retryAfter: response.headers.get("retry-after"),
    };
  } catch (err) {
    const timedOut =
      err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    // The origin says where it failed: workerd's DNS and connect errors often do not.
    const where = urlOrigin(request.url);
    const error = timedOut
      ? `timeout after ${timeoutMs} ms waiting for ${where} (${describeError(err)})`
      : `could not reach ${where}: ${describeError(err)}`;
    return { kind: "network_error", error };
  }
}

function errorText(sent: Sent | null, outcome: Outcome): string | null {
  if (outcome.kind === "succeeded") return null;
  if (sent?.result.kind === "network_error" && outcome.kind === "retry") return sent.result.error;
  return outcome.reason;
}

async function recordOutcome(
  input: AttemptInput,
  attempt: number,
  sent: Sent | null,
  outcome: Outcome,
): Promise<AttemptReport> {
  const { db, delivery } = input;
  const now = new Date();
  const recorded: RecordedOutcome =
    outcome.kind === "retry"
      ? { kind: "retry", scheduledFor: new Date(now.getTime() + outcome.delaySeconds * 1000) }
      : { kind: outcome.kind };
  const statusCode = sent?.result.kind === "response" ? sent.result.status : null;
  const error = errorText(sent, outcome);
  try {
    const applied = await recordAttempt(
      db,
      {
        deliveryId: delivery.id,
        attempt,
        leaseUntil: delivery.lease_until,
        startedAt: sent?.startedAt ?? now,
        durationMs: sent?.durationMs ?? 0,
        statusCode,
        error,
      },
      recorded,
    );
    if (!applied) log("warn", "delivery.stale_attempt", { delivery_id: delivery.id, attempt });
  } catch (err) {
    // Reference step 5: a 2xx whose success could not be recorded stays pending (leased); the
    // sweep or the lease alarm re-sends it and the receiver dedupes by delivery id.
    log("error", "delivery.record_failed", {
      delivery_id: delivery.id,
      attempt,
      outcome: outcome.kind,
      error: describeError(err),
    });
    return { kind: "unrecorded", attempt, reason: describeError(err) };
  }
  log(outcome.kind === "succeeded" ? "info" : "warn", `delivery.${outcome.kind}`, {
    delivery_id: delivery.id,
    attempt,
    status_code: statusCode,
    error,
    ...(recorded.kind === "retry" ? { scheduled_for: recorded.scheduledFor.toISOString() } : {}),
  });
  if (recorded.kind === "retry")
    return { kind: "retry_scheduled", attempt, scheduledFor: recorded.scheduledFor };
  if (outcome.kind === "dead_letter")
    return { kind: "dead_letter", attempt, reason: outcome.reason };
  return { kind: "succeeded", attempt };
}
