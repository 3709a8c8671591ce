/**
 * /v1/deliveries: create a delivery directly (idempotent per organization), read one with its
 * attempts, list them newest first, and send a dead letter again.
 */
import { createRoute, type z } from "@hono/zod-openapi";
import { requireApiKey } from "../auth/middleware";
import { type Config, getConfig } from "../config";
import {
  createApiDelivery,
  type DeliveryRecord,
  findByIdempotencyKey,
  getDeliveryWithAttempts,
  listDeliveries,
  type NewApiDelivery,
  retryDeadLetter,
} from "../db/queries/deliveries-api";
import { describeError } from "../delivery/redact";
import { partitionCustomHeaders } from "../delivery/secret-headers";
import { checkTargetUrl } from "../delivery/target-url";
import { HTTP_METHODS } from "../delivery/webhook-node";
import { AppError } from "../errors";
import { log } from "../log";
import { enqueueJob } from "../queues/enqueue";
import {
  API_KEY_SECURITY,
  dbOf,
  decodeCursor,
  encodeCursor,
  newRouter,
  problems,
  uuidParam,
} from "./common";
import {
  CreateDeliveryBody,
  CreatedDeliverySchema,
  DeliveryDetailSchema,
  DeliveryIdParam,
  DeliveryPageSchema,
  DeliverySchema,
  IdempotencyHeader,
  ListDeliveriesQuery,
} from "./delivery-schemas";
import { acceptJsonBody } from "./json-body";

/** The contract's cap on a payload, measured as UTF-8 JSON text. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
const DEFAULT_PAGE_SIZE = 20;

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** The API view of a delivery row (drops the internal serial id). */
function view({ row_id: _rowId, ...delivery }: DeliveryRecord) {
  return delivery;
}

function invalid(status: 400 | 413 | 422, field: string, message: string): AppError {
  const code =
    status === 413 ? "payload_too_large" : status === 400 ? "invalid_target" : "validation_failed";
  return new AppError(status, code, `${field} ${message}`, [{ field, message }]);
}

/** Validates what zod cannot (target policy, method, size, idempotency key) into a row. */
function buildDelivery(
  body: z.infer<typeof CreateDeliveryBody>,
  headerKey: string | undefined,
  organizationId: number,
  config: Config,
): { row: NewApiDelivery; dropped: string[]; droppedSecrets: string[] } {
  const target = checkTargetUrl(body.endpoint_url, config.allowPrivateNetworks);
  if (!target.ok) throw invalid(400, "endpoint_url", target.error.replace(/^endpoint_url /, ""));
  const method = (body.http_method ?? "POST").trim().toUpperCase();
  if (!(HTTP_METHODS as readonly string[]).includes(method)) {
    throw invalid(422, "http_method", `must be one of ${HTTP_METHODS.join(", ")}`);
  }
  const payloadJson = body.payload === undefined ? null : JSON.stringify(body.payload);
  if (payloadJson !== null && new TextEncoder().encode(payloadJson).length > MAX_PAYLOAD_BYTES) {
    throw invalid(413, "payload", `must be at most ${MAX_PAYLOAD_BYTES} bytes of JSON`);
  }
  const bodyKey = body.idempotency_key ?? undefined;
  if (bodyKey !== undefined && headerKey !== undefined && bodyKey !== headerKey) {
    throw invalid(422, "idempotency_key", "differs from the Idempotency-Key header");
  }
  const headers = partitionCustomHeaders(body.custom_headers ?? []);
  return {
    dropped: headers.dropped,
    droppedSecrets: headers.droppedReasons.filter((d) => d.reason === "secret").map((d) => d.name),
    row: {
      deliveryUuid: crypto.randomUUID(),
      organizationId,
      endpointUrl: body.endpoint_url,
      httpMethod: method,
      webhookName: body.webhook_name ?? null,
      payloadJson,
      customHeaders: headers.kept,
      credentialUuid: body.credential_uuid ?? null,
      maxAttempts: body.max_attempts ?? config.maxAttempts,
      idempotencyKey: bodyKey ?? headerKey ?? null,
    },
  };
}

/** Hands a delivery to the queue; a lost enqueue is logged, the sweep re-drives the row. */
async function enqueueDelivery(env: Env, rowId: number, jobId: string): Promise<void> {
  try {
    await enqueueJob(env.WEBHOOK_TASKS, "deliver_webhook", [rowId], { jobId });
  } catch (err) {
    log("error", "api.enqueue_failed", {
      delivery_id: rowId,
      job_id: jobId,
      error: describeError(err),
    });
  }
}

const createDelivery = createRoute({
  method: "post",
  path: "/v1/deliveries",
  summary: "Create a delivery",
  security: API_KEY_SECURITY,
  middleware: [requireApiKey, acceptJsonBody],
  request: {
    headers: IdempotencyHeader,
    body: { required: true, content: { "application/json": { schema: CreateDeliveryBody } } },
  },
  responses: {
    201: json(CreatedDeliverySchema, "Created and queued"),
    200: json(
      CreatedDeliverySchema,
      "The idempotency key was used before: the existing delivery, unchanged and not sent again (header `Idempotent-Replayed: true`); `dropped_headers` describes this request",
    ),
    ...problems(400, 401, 413, 415, 422),
  },
});

const getDelivery = createRoute({
  method: "get",
  path: "/v1/deliveries/{id}",
  summary: "A delivery with its attempts",
  security: API_KEY_SECURITY,
  middleware: [requireApiKey],
  request: { params: DeliveryIdParam },
  responses: { 200: json(DeliveryDetailSchema, "The delivery"), ...problems(401, 404) },
});

const listRoute = createRoute({
  method: "get",
  path: "/v1/deliveries",
  summary: "Deliveries, newest first",
  security: API_KEY_SECURITY,
  middleware: [requireApiKey],
  request: { query: ListDeliveriesQuery },
  responses: { 200: json(DeliveryPageSchema, "One page"), ...problems(401, 422) },
});

const retryRoute = createRoute({
  method: "post",
  path: "/v1/deliveries/{id}/retry",
  summary: "Send a dead letter again with a fresh attempt budget",
  description:
    "A dead_letter delivery goes back to pending, due now, with attempt_count 0 and its max_attempts: attempts are numbered from 1 again (same delivery id), the backoff restarts from the base delay, and last_status_code / last_error keep the dead-letter reason until the next attempt. The attempt log keeps the earlier attempts.",
  security: API_KEY_SECURITY,
  middleware: [requireApiKey],
  request: { params: DeliveryIdParam },
  responses: {
    202: json(DeliverySchema, "Back to pending and queued"),
    ...problems(401, 404, 409),
  },
});

export const deliveryRoutes = newRouter()
  .openapi(createDelivery, async (c) => {
    const config = getConfig(c.env);
    const organizationId = c.get("organizationId");
    const { row, dropped, droppedSecrets } = buildDelivery(
      c.req.valid("json"),
      c.req.valid("header")["Idempotency-Key"],
      organizationId,
      config,
    );
    if (droppedSecrets.length > 0) {
      // Names only: the values are secrets, and are neither stored nor logged.
      log("warn", "deliveries.secret_headers_dropped", {
        organization_id: organizationId,
        dropped: droppedSecrets,
        hint: "put secrets in a credential",
      });
    }
    const db = dbOf(c);
    let result = await createApiDelivery(db, row);
    if (result.kind === "conflict") {
      // A concurrent request with the same key inserted first; its row is committed now.
      const existing = row.idempotencyKey
        ? await findByIdempotencyKey(db, organizationId, row.idempotencyKey)
        : null;
      if (!existing) throw new Error("idempotency conflict without an existing delivery");
      result = { kind: "existing", delivery: existing };
    }
    if (result.kind === "credential_refused") {
      throw invalid(422, "credential_uuid", "is not an active credential of this organization");
    }
    const body = { ...view(result.delivery), dropped_headers: dropped };
    if (result.kind === "existing") {
      return c.json(body, 200, { "Idempotent-Replayed": "true" });
    }
    const rowId = result.delivery.row_id;
    await enqueueDelivery(c.env, rowId, `webhook-delivery-${rowId}-0`);
    return c.json(body, 201, { Location: `/v1/deliveries/${body.id}` });
  })
  .openapi(getDelivery, async (c) => {
    const id = uuidParam(c.req.valid("param").id, "Delivery");
    const delivery = await getDeliveryWithAttempts(dbOf(c), c.get("organizationId"), id);
    if (!delivery) throw new AppError(404, "not_found", "Delivery not found");
    return c.json({ ...view(delivery), attempts: delivery.attempts }, 200);
  })
  .openapi(listRoute, async (c) => {
    const query = c.req.valid("query");
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await listDeliveries(dbOf(c), c.get("organizationId"), {
      status: query.status,
      workflowRunId: query.workflow_run_id,
      beforeRowId: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor = rows.length > limit && last ? encodeCursor(last.row_id) : null;
    return c.json({ data: page.map(view), next_cursor: nextCursor }, 200);
  })
  .openapi(retryRoute, async (c) => {
    const id = uuidParam(c.req.valid("param").id, "Delivery");
    const result = await retryDeadLetter(dbOf(c), c.get("organizationId"), id);
    if (result.kind === "not_found") throw new AppError(404, "not_found", "Delivery not found");
    if (result.kind === "conflict") {
      const state = result.status === "dead_letter" ? "being retried already" : result.status;
      throw new AppError(
        409,
        "not_dead_letter",
        `Only a dead_letter delivery can be retried; this one is ${state}`,
      );
    }
    const { delivery } = result;
    // attempt_count is 0 after every retry: the time keeps the job id unique per retry.
    await enqueueDelivery(
      c.env,
      delivery.row_id,
      `webhook-delivery-${delivery.row_id}-retry-${Date.now()}`,
    );
    return c.json(view(delivery), 202);
  });
