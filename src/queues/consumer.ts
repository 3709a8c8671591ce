/**
 * The webhook-tasks consumer. Each message is handled on its own, so one bad message never
 * breaks its batch, and each ends in exactly one of: ack (task finished, or a no-op), retry
 * (unexpected error; the queue's dead-letter queue catches what never succeeds), or ack after
 * being kept in queue_rejections (malformed, unknown task, refused args).
 */
import { type Config, getConfig } from "../config";
import { getDb } from "../db/client";
import { claimJob, finishJob } from "../db/queries/jobs";
import { recordRejection } from "../db/queries/rejections";
import { describeError } from "../delivery/redact";
import { log } from "../log";
import {
  bodyText,
  isTaskName,
  type JobMessage,
  MAX_QUEUE_DELAY_SECONDS,
  parseJobMessage,
  type TaskName,
} from "./messages";
import { deliverWebhook } from "./tasks/deliver-webhook";
import { TaskRejected } from "./tasks/errors";
import { runIntegrations } from "./tasks/run-integrations";

interface TaskContext {
  env: Env;
  config: Config;
}

interface TaskSpec {
  run: (ctx: TaskContext, args: unknown[]) => Promise<unknown>;
  /**
   * Whether job ids go through the ledger. deliver_webhook does not need it: its atomic claim
   * already makes a duplicate message a no-op, and the ledger would cost two round trips.
   */
  ledger: boolean;
}

/** The task registry: every task a producer may name. */
export const TASKS: Record<TaskName, TaskSpec> = {
  run_integrations_post_workflow_run: {
    ledger: true,
    run: ({ env, config }, args) => runIntegrations(getDb(config), env.WEBHOOK_TASKS, config, args),
  },
  deliver_webhook: {
    ledger: false,
    run: ({ env, config }, args) => deliverWebhook(env, getDb(config), args),
  },
};

/** Backoff for queue-level retries of a task that threw: 5 s, 10 s, 20 s ... capped at 10 min. */
function taskRetryDelaySeconds(attempts: number): number {
  return Math.min(5 * 2 ** Math.max(0, attempts - 1), 600);
}

/**
 * Backoff while nothing can be recorded (bad configuration, database down): 1 min doubling to
 * 1 h. With the dead-letter queue's 100 retries that keeps a message for about four days, the
 * queue's own retention, so an outage of hours loses nothing.
 */
function outageRetryDelaySeconds(attempts: number): number {
  return Math.min(60 * 2 ** Math.max(0, attempts - 1), 3600);
}

function retryEach(batch: MessageBatch<unknown>): void {
  for (const message of batch.messages) {
    message.retry({ delaySeconds: outageRetryDelaySeconds(message.attempts) });
  }
}

/** Handles one batch of the webhook-tasks queue. */
export async function consumeTasks(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  let config: Config;
  try {
    config = getConfig(env);
  } catch (err) {
    // Nothing can run with a bad configuration; keep every message (retry) and say why.
    log("error", "queue.config_invalid", {
      error: describeError(err),
      messages: batch.messages.length,
    });
    retryEach(batch);
    return;
  }
  await Promise.all(
    batch.messages.map((message) => handleMessage(message, batch.queue, env, config)),
  );
}

async function handleMessage(
  message: Message<unknown>,
  queue: string,
  env: Env,
  config: Config,
): Promise<void> {
  const parsed = parseJobMessage(message.body);
  if (!parsed.ok) return reject(message, queue, config, parsed.reason);
  const job = parsed.job;
  const spec = isTaskName(job.task) ? TASKS[job.task] : undefined;
  if (!spec) return reject(message, queue, config, `unknown task "${job.task}"`);
  if (job.not_before !== undefined && job.not_before > Date.now() + 1000)
    return redefer(message, env, job);

  const ledger = spec.ledger && job.job_id !== undefined ? job.job_id : null;
  try {
    const claim = ledger === null ? null : await claimJob(getDb(config), ledger, job.task);
    if (claim?.kind === "done") {
      log("info", "queue.duplicate_job", { task: job.task, job_id: ledger });
      message.ack();
      return;
    }
    if (claim?.kind === "running") {
      // Another message holds it. Come back when its lease ends: if its runner died without
      // finishing, this message takes over then, so the job is never lost.
      log("info", "queue.job_running_elsewhere", { task: job.task, job_id: ledger });
      message.retry({ delaySeconds: Math.min(claim.leaseSeconds, MAX_QUEUE_DELAY_SECONDS) });
      return;
    }
    const result = await spec.run({ env, config }, job.args);
    if (ledger !== null) await finishJob(getDb(config), ledger, "done");
    log("debug", "queue.task_done", { task: job.task, job_id: job.job_id ?? null, result });
    message.ack();
  } catch (err) {
    if (err instanceof TaskRejected) {
      if (ledger !== null) await finishLedger(config, ledger, "done", err.message);
      return reject(message, queue, config, `${job.task}: ${err.message}`);
    }
    const error = describeError(err);
    log("error", "queue.task_failed", {
      task: job.task,
      job_id: job.job_id ?? null,
      attempts: message.attempts,
      error,
    });
    if (ledger !== null) await finishLedger(config, ledger, "failed", error);
    message.retry({ delaySeconds: taskRetryDelaySeconds(message.attempts) });
  }
}

/**
 * Closes a ledger entry after a refusal or a failure. If even that write fails, the entry stays
 * "running" until its lease ends, so later duplicates wait for it: say so in the log.
 */
async function finishLedger(
  config: Config,
  jobId: string,
  state: "done" | "failed",
  error: string,
): Promise<void> {
  try {
    await finishJob(getDb(config), jobId, state, error);
  } catch (err) {
    log("error", "queue.ledger_write_failed", { job_id: jobId, state, error: describeError(err) });
  }
}

/** Re-sends a job deferred past the queue's limit with the rest of its delay. */
async function redefer(message: Message<unknown>, env: Env, job: JobMessage): Promise<void> {
  const remaining = Math.ceil(((job.not_before ?? 0) - Date.now()) / 1000);
  try {
    await env.WEBHOOK_TASKS.send(job, {
      contentType: "json",
      delaySeconds: Math.min(remaining, MAX_QUEUE_DELAY_SECONDS),
    });
    message.ack();
  } catch (err) {
    log("error", "queue.redefer_failed", { task: job.task, error: describeError(err) });
    message.retry({ delaySeconds: 60 });
  }
}

/** Keeps a message that cannot run in queue_rejections (then acks it), or retries if even that fails. */
async function reject(
  message: Message<unknown>,
  queue: string,
  config: Config,
  reason: string,
): Promise<void> {
  const body = bodyText(message.body);
  log("error", "queue.message_rejected", {
    queue,
    message_id: message.id,
    reason,
    body: body.slice(0, 2000),
  });
  try {
    await recordRejection(getDb(config), {
      queue,
      messageId: message.id,
      reason,
      body,
      attempts: message.attempts,
    });
    message.ack();
  } catch (err) {
    log("error", "queue.rejection_not_recorded", {
      message_id: message.id,
      error: describeError(err),
    });
    message.retry({ delaySeconds: outageRetryDelaySeconds(message.attempts) });
  }
}

/** Handles the dead-letter queue: every message that exhausted its retries is kept for operators. */
export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  let config: Config;
  try {
    config = getConfig(env);
  } catch (err) {
    log("error", "queue.config_invalid", { error: describeError(err) });
    retryEach(batch);
    return;
  }
  await Promise.all(
    batch.messages.map((message) =>
      reject(message, batch.queue, config, "the task kept failing: exhausted the queue's retries"),
    ),
  );
}
