/**
 * The Worker: wiring only. HTTP goes to the Hono app, queue batches to the task consumer (or
 * the dead-letter recorder), the Cron Trigger to the sweep.
 */
import { sweep } from "./cron/sweep";
import { describeError } from "./delivery/redact";
import { log } from "./log";
import { consumeDeadLetters, consumeTasks } from "./queues/consumer";
import { createApp } from "./routes/app";

export { DeliveryObject } from "./durable/delivery-object";
export { type EnqueueOptions, enqueueJob } from "./queues/enqueue";

const app = createApp();

export default {
  fetch: app.fetch,

  async queue(batch, env, _ctx) {
    if (batch.queue.endsWith("-dlq")) return consumeDeadLetters(batch, env);
    return consumeTasks(batch, env);
  },

  async scheduled(_controller, env, _ctx) {
    try {
      await sweep(env);
    } catch (err) {
      log("error", "sweep.failed", { error: describeError(err) });
      throw err;
    }
  },
} satisfies ExportedHandler<Env, unknown>;
