/** Request and response schemas of /v1/deliveries (the contract's delivery object). */
import { z } from "@hono/zod-openapi";
import { HTTP_METHODS } from "../delivery/webhook-node";
import { LimitQuery } from "./common";

const Timestamp = z.string().openapi({ format: "date-time", example: "2026-01-02T03:04:05.678Z" });

export const DeliverySchema = z
  .object({
    id: z.string().openapi({ format: "uuid", description: "The delivery_uuid" }),
    status: z.enum(["pending", "succeeded", "dead_letter"]),
    attempt_count: z.number().int(),
    max_attempts: z.number().int(),
    endpoint_url: z.string(),
    http_method: z.string(),
    webhook_name: z.string().nullable(),
    workflow_run_id: z.number().int().nullable(),
    webhook_node_id: z.string(),
    scheduled_for: Timestamp.nullable().openapi({
      description:
        "When the next attempt is due (or the lease end while sending); null once terminal",
    }),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    idempotency_key: z.string().nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Delivery");

export const CreatedDeliverySchema = DeliverySchema.extend({
  dropped_headers: z.array(z.string()).openapi({
    description:
      "Names of the custom headers of the request just made that were dropped and not stored (secret-looking: put secrets in a credential; reserved; or an invalid name or value). It describes this request, not the stored delivery: on an idempotent replay (200) it lists what this request's headers would have lost, since dropped headers are never stored.",
  }),
}).openapi("CreatedDelivery");

export const AttemptSchema = z
  .object({
    attempt: z.number().int(),
    started_at: Timestamp,
    duration_ms: z.number().int(),
    status_code: z.number().int().nullable(),
    error: z.string().nullable(),
    outcome: z.enum(["succeeded", "retry", "dead_letter"]),
  })
  .openapi("DeliveryAttempt");

export const DeliveryDetailSchema = DeliverySchema.extend({
  attempts: z.array(AttemptSchema),
}).openapi("DeliveryDetail");

export const DeliveryPageSchema = z
  .object({ data: z.array(DeliverySchema), next_cursor: z.string().nullable() })
  .openapi("DeliveryPage");

export const CreateDeliveryBody = z
  .object({
    endpoint_url: z.string().min(1).openapi({ format: "uri", example: "https://example.com/hook" }),
    payload: z.unknown().optional().openapi({ description: "Any JSON, up to 256 KiB" }),
    http_method: z
      .string()
      .optional()
      .openapi({ enum: [...HTTP_METHODS], default: "POST" }),
    custom_headers: z
      .array(
        z.object({
          key: z.string(),
          value: z.union([z.string(), z.number(), z.boolean()]),
        }),
      )
      .nullable()
      .optional(),
    credential_uuid: z.string().nullable().optional().openapi({ format: "uuid" }),
    webhook_name: z.string().max(500).nullable().optional(),
    idempotency_key: z.string().min(1).max(255).nullable().optional(),
    max_attempts: z.number().int().min(1).max(20).optional(),
  })
  .openapi("CreateDelivery");

export const IdempotencyHeader = z.object({
  "Idempotency-Key": z
    .string()
    .min(1)
    .max(255)
    .optional()
    .openapi({ param: { name: "Idempotency-Key", in: "header" } }),
});

export const ListDeliveriesQuery = z.object({
  status: z.enum(["pending", "succeeded", "dead_letter"]).optional(),
  workflow_run_id: z.coerce.number().int().min(1).max(2_147_483_647).optional(),
  limit: LimitQuery,
  cursor: z.string().optional().openapi({ description: "next_cursor of the previous page" }),
});

export const DeliveryIdParam = z.object({
  id: z
    .string()
    .openapi({ param: { name: "id", in: "path" }, format: "uuid", description: "delivery id" }),
});
