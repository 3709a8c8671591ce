/**
 * The Cron sweep (reference "Sweeper"): re-drives every overdue pending delivery, including
 * leases that expired mid-send, page by page (keyset on id) so a backlog larger than a page
 * drains fully in one run. Each re-drive gets a reclaim job id naming the lease it reclaims;
 * the delivery's claim still guarantees a single send.
 */
import { type Config, getConfig } from "../config";
import { getDb } from "../db/client";
import { overduePendingPage } from "../db/queries/deliveries";
import { pruneJobs } from "../db/queries/jobs";
import { describeError } from "../delivery/redact";
import { log } from "../log";
import { enqueueJobs } from "../queues/enqueue";

export const SWEEP_PAGE_SIZE = 100;
/** Finished ledger entries are kept this long, so a late duplicate is still recognised. */
const JOB_RETENTION_DAYS = 7;

export interface SweepResult {
  reenqueued: number;
  pages: number;
}

/** One sweep run; returns the true total re-enqueued. */
export async function sweep(env: Env, pageSize: number = SWEEP_PAGE_SIZE): Promise<SweepResult> {
  const config: Config = getConfig(env);
  const db = getDb(config);
  let afterId = 0;
  let reenqueued = 0;
  let pages = 0;
  for (;;) {
    const page = await overduePendingPage(db, afterId, pageSize);
    if (page.length === 0) break;
    pages++;
    await enqueueJobs(
      env.WEBHOOK_TASKS,
      page.map((row) => ({
        task: "deliver_webhook",
        args: [row.id],
        // As in the reference; deliver_webhook needs no ledger (its claim dedupes), so the id
        // only names the reclaim in logs.
        options: { jobId: `webhook-delivery-reclaim-${row.id}-${row.due_s}` },
      })),
    );
    reenqueued += page.length;
    afterId = page[page.length - 1]?.id ?? afterId;
    if (page.length < pageSize) break;
  }
  log("info", "sweep.done", { reenqueued, pages });
  await pruneJobs(db, JOB_RETENTION_DAYS).catch((err) =>
    log("warn", "sweep.prune_failed", { error: describeError(err) }),
  );
  return { reenqueued, pages };
}
