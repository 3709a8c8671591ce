/**
 * deliver_webhook(delivery_id): hands the attempt to the delivery's Durable Object, which owns
 * the claim, the send and the retry alarm. `delivery_id` is the serial id or the delivery_uuid.
 */
import type { Db } from "../../db/client";
import { isUuid, MAX_ROW_ID } from "../../db/ids";
import { type DeliveryRef, findDeliveryId } from "../../db/queries/deliveries";
import { TaskRejected } from "./errors";

/** Parses `[delivery_id]`. */
export function parseDeliverArgs(args: unknown[]): DeliveryRef {
  const [id] = args;
  const n = typeof id === "string" && /^\d{1,10}$/.test(id) ? Number(id) : id;
  if (typeof n === "number" && Number.isInteger(n) && n > 0 && n <= MAX_ROW_ID) return { id: n };
  if (typeof id === "string" && isUuid(id)) return { uuid: id.toLowerCase() };
  throw new TaskRejected(
    `args[0] delivery_id must be a positive integer id or a delivery uuid, got ${JSON.stringify(id)}`,
  );
}

/** The Durable Object that owns a delivery: exactly one per delivery, named by its serial id. */
export function deliveryObject(env: Env, ref: { id: number }) {
  return env.DELIVERY.get(env.DELIVERY.idFromName(`delivery:${ref.id}`));
}

/** Runs the task: one attempt if the delivery is due, a no-op otherwise. */
export async function deliverWebhook(env: Env, db: Db, args: unknown[]): Promise<string> {
  const parsed = parseDeliverArgs(args);
  // A uuid (as the API shows it) is resolved first, so every trigger reaches the same object.
  const id = "id" in parsed ? parsed.id : await findDeliveryId(db, parsed.uuid);
  if (id === null) throw new TaskRejected(`delivery ${JSON.stringify(args[0])} does not exist`);
  const report = await deliveryObject(env, { id }).deliver({ id });
  if (report.kind === "missing") throw new TaskRejected(`delivery ${id} does not exist`);
  return report.kind;
}
