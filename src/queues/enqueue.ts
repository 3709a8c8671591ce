/**
 * The producer helper other Workers import: `enqueueJob(env.WEBHOOK_TASKS, task, args, opts)`.
 * A deferral beyond the queue's 12-hour limit is sent at the limit with `not_before`, and the
 * consumer re-defers until it is due, so any deferral runs on time.
 */
import { type JobMessage, MAX_QUEUE_DELAY_SECONDS, type TaskName } from "./messages";

export interface EnqueueOptions {
  /** Two messages with one job id run the task once. */
  jobId?: string;
  /** Run no earlier than this many seconds from now (fractions are rounded up). */
  deferBySeconds?: number;
}

/** Builds the message body and queue send options for one job. */
export function buildJob(
  task: TaskName | string,
  args: unknown[],
  options: EnqueueOptions = {},
  nowMs: number = Date.now(),
): { body: JobMessage; delaySeconds: number } {
  const defer = options.deferBySeconds ?? 0;
  if (!Number.isFinite(defer) || defer < 0) {
    throw new RangeError(`deferBySeconds must be a non-negative number, got ${defer}`);
  }
  const body: JobMessage = { task, args };
  if (options.jobId !== undefined) body.job_id = options.jobId;
  const delaySeconds = Math.ceil(defer);
  if (delaySeconds > MAX_QUEUE_DELAY_SECONDS) body.not_before = nowMs + defer * 1000;
  return { body, delaySeconds: Math.min(delaySeconds, MAX_QUEUE_DELAY_SECONDS) };
}

/** Enqueues one task run on the webhook-tasks queue. */
export async function enqueueJob(
  queue: Queue,
  task: TaskName | string,
  args: unknown[],
  options: EnqueueOptions = {},
): Promise<void> {
  const { body, delaySeconds } = buildJob(task, args, options);
  await queue.send(body, { contentType: "json", delaySeconds });
}

/** Enqueues many jobs in as few queue calls as the queue allows (100 per batch). */
export async function enqueueJobs(
  queue: Queue,
  jobs: { task: TaskName | string; args: unknown[]; options?: EnqueueOptions }[],
): Promise<void> {
  for (let i = 0; i < jobs.length; i += 100) {
    const chunk = jobs.slice(i, i + 100).map((job) => {
      const { body, delaySeconds } = buildJob(job.task, job.args, job.options);
      return { body, contentType: "json" as const, delaySeconds };
    });
    await queue.sendBatch(chunk);
  }
}
