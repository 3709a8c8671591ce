/**
 * The job ledger behind `job_id`: two messages with one job id run their task once. A job is
 * claimed before it runs and marked done after; a failed run frees it for the queue's retry, and
 * a claim whose runner died (lease passed) can be taken over.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../client";

const JOB_LEASE_SECONDS = 15 * 60;
const RACE_RECHECK_SECONDS = 5;

/**
 * What a message carrying this job id should do: "run" it (claimed now), "done" (it already
 * ran: the message is a duplicate), or "running" elsewhere, with the seconds until that claim's
 * lease ends (the message must come back then: the other runner may have died).
 */
export type JobClaim =
  | { kind: "run" }
  | { kind: "done" }
  | { kind: "running"; leaseSeconds: number };

/** The claim statement (exported so a test can hold it open in a transaction). */
export function claimJobStatement(jobId: string, task: string) {
  return sql`
    WITH claim AS (
      INSERT INTO queue_jobs (job_id, task, state, lease_until)
      VALUES (${jobId}, ${task}, 'running', now() + make_interval(secs => ${JOB_LEASE_SECONDS}))
      ON CONFLICT (job_id) DO UPDATE
         SET state = 'running', runs = queue_jobs.runs + 1,
             lease_until = excluded.lease_until, updated_at = now()
       WHERE queue_jobs.state = 'failed'
          OR (queue_jobs.state = 'running' AND queue_jobs.lease_until < now())
      RETURNING job_id
    )
    SELECT true AS claimed, 'running' AS state, NULL::float8 AS lease_seconds FROM claim
    UNION ALL
    SELECT false, j.state, EXTRACT(EPOCH FROM (j.lease_until - now()))::float8
      FROM queue_jobs j WHERE j.job_id = ${jobId} AND NOT EXISTS (SELECT 1 FROM claim)`;
}

/** Claims a job id for this message, in one statement. */
export async function claimJob(db: Db, jobId: string, task: string): Promise<JobClaim> {
  const result = await db.execute<{
    claimed: boolean;
    state: string;
    lease_seconds: number | null;
  }>(claimJobStatement(jobId, task));
  const row = result.rows[0];
  // No row at all: a concurrent message inserted the id after this statement's snapshot (the
  // upsert waited for it, then found its lease live). It is running; look again shortly.
  if (!row) return { kind: "running", leaseSeconds: RACE_RECHECK_SECONDS };
  if (row.claimed) return { kind: "run" };
  if (row.state === "done") return { kind: "done" };
  return { kind: "running", leaseSeconds: Math.max(1, Math.ceil(Number(row.lease_seconds ?? 0))) };
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

/** Forgets finished or abandoned ledger entries older than the retention (run by the sweep). */
export async function pruneJobs(db: Db, olderThanDays: number): Promise<number> {
  const result = await db.execute(sql`
    DELETE FROM queue_jobs
     WHERE state IN ('done', 'failed') AND updated_at < now() - make_interval(days => ${olderThanDays})`);
  return result.rowCount ?? 0;
}
