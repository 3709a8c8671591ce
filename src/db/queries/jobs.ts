/**
 * The job ledger behind `job_id`: two messages with one job id run their task once. A job is
 * claimed before it runs and marked done after; a failed run frees it for the queue's retry, and
 * a claim whose runner died (lease passed) can be taken over.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../client";

const JOB_LEASE_SECONDS = 15 * 60;

/** True when this message may run the job; false when it already ran or is running elsewhere. */
export async function claimJob(db: Db, jobId: string, task: string): Promise<boolean> {
  const result = await db.execute(sql`
    INSERT INTO queue_jobs (job_id, task, state, lease_until)
    VALUES (${jobId}, ${task}, 'running', now() + make_interval(secs => ${JOB_LEASE_SECONDS}))
    ON CONFLICT (job_id) DO UPDATE
       SET state = 'running', runs = queue_jobs.runs + 1,
           lease_until = excluded.lease_until, updated_at = now()
     WHERE queue_jobs.state = 'failed'
        OR (queue_jobs.state = 'running' AND queue_jobs.lease_until < now())
    RETURNING job_id`);
  return result.rows.length > 0;
}

/** Marks a claimed job finished (done) or failed (free for a retry), with the error kept. */
export async function finishJob(
  db: Db,
  jobId: string,
  state: "done" | "failed",
  error: string | null = null,
): Promise<void> {
  await db.execute(sql`
    UPDATE queue_jobs SET state = ${state}, lease_until = NULL,
           last_error = ${error === null ? null : error.slice(0, 2000)}, updated_at = now()
     WHERE job_id = ${jobId}`);
}

/** Forgets finished jobs older than the retention (run by the sweep). Returns how many. */
export async function pruneJobs(db: Db, olderThanDays: number): Promise<number> {
  const result = await db.execute(sql`
    DELETE FROM queue_jobs
     WHERE state = 'done' AND updated_at < now() - make_interval(days => ${olderThanDays})`);
  return result.rowCount ?? 0;
}
