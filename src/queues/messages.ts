/**
 * The queue message contract (shared/CONTRACT.md "Queue contract"): `{ task, args, job_id? }`,
 * plus `not_before` (epoch milliseconds), which enqueueJob adds when a deferral is longer than
 * the queue's own maximum delay so the consumer can re-defer the rest.
 */

export const TASK_NAMES = ["run_integrations_post_workflow_run", "deliver_webhook"] as const;
export type TaskName = (typeof TASK_NAMES)[number];

/** Whether a message names a task this service runs. */
export function isTaskName(task: string): task is TaskName {
  return (TASK_NAMES as readonly string[]).includes(task);
}

export interface JobMessage {
  task: string;
  args: unknown[];
  job_id?: string;
  not_before?: number;
}

/** Cloudflare Queues refuse a delaySeconds above 12 hours. */
export const MAX_QUEUE_DELAY_SECONDS = 43_200;

const MAX_JOB_ID_CHARS = 512;

/** Checks a message body against the contract; the error says what is wrong with it. */
export function parseJobMessage(
  body: unknown,
): { ok: true; job: JobMessage } | { ok: false; reason: string } {
  // A producer that sent the JSON as text (contentType "text") still means the same job.
  if (typeof body === "string") {
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === "object" && parsed !== null) body = parsed;
    } catch {
      // not JSON: refused below as not an object
    }
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return {
      ok: false,
      reason: `message body must be an object {task, args, job_id?}, got ${describe(body)}`,
    };
  }
  const { task, args, job_id, not_before } = body as Record<string, unknown>;
  if (typeof task !== "string" || task.length === 0) {
    return { ok: false, reason: "message field task must be a non-empty string" };
  }
  if (!Array.isArray(args)) return { ok: false, reason: "message field args must be an array" };
  if (job_id !== undefined && job_id !== null) {
    if (typeof job_id !== "string" || job_id.length === 0 || job_id.length > MAX_JOB_ID_CHARS) {
      return {
        ok: false,
        reason: `message field job_id must be a string of 1-${MAX_JOB_ID_CHARS} characters`,
      };
    }
  }
  if (
    not_before !== undefined &&
    (typeof not_before !== "number" || !Number.isFinite(not_before))
  ) {
    return { ok: false, reason: "message field not_before must be epoch milliseconds" };
  }
  const job: JobMessage = { task, args };
  if (typeof job_id === "string") job.job_id = job_id;
  if (typeof not_before === "number") job.not_before = not_before;
  return { ok: true, job };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

/** The message body as text for logs and the rejection table, whatever it is. */
export function bodyText(body: unknown): string {
  if (typeof body === "string") return body;
  try {
    return JSON.stringify(body) ?? String(body);
  } catch {
    return String(body);
  }
}
