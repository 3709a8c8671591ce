/**
 * One Durable Object per delivery. It serialises every trigger of the delivery (queue messages,
 * sweeps, its own alarm) so at most one attempt is in flight, and the atomic claim in Postgres
 * guarantees the same across isolates and crashes. Retries are scheduled with the object's alarm
 * at the `scheduled_for` it recorded; while an attempt is in flight the alarm sits at the lease
 * end, so a crash mid-send is retried as soon as the lease expires.
 */
import { DurableObject } from "cloudflare:workers";
import { getConfig } from "../config";
import type { Db } from "../db/client";
import { getDb } from "../db/client";
import { claimDelivery, deliveryState } from "../db/queries/deliveries";
import { describeError } from "../delivery/redact";
import { log } from "../log";
import { type AttemptReport, runAttempt } from "./attempt";

const REF_KEY = "ref";

/** How the object knows its delivery: the serial id (the object is named after it). */
export interface DeliveryKey {
  id: number;
}

export class DeliveryObject extends DurableObject<Env> {
  private inFlight: Promise<AttemptReport> | null = null;
  private knownRef: DeliveryKey | null = null;
  /** Whether the ref is in storage (it is removed once the delivery is terminal). */
  private refStored = false;

  /** Runs one attempt if the delivery is due and no attempt is in flight here. */
  async deliver(ref: DeliveryKey): Promise<AttemptReport> {
    // Checked and set synchronously: concurrent calls can interleave at every await.
    if (this.inFlight) return { kind: "busy" };
    this.inFlight = this.remember(ref)
      .then(() => this.attempt(ref))
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  /** The retry (or lease-expiry) alarm: the next attempt. */
  override async alarm(): Promise<void> {
    const ref = this.knownRef ?? (await this.ctx.storage.get<DeliveryKey>(REF_KEY)) ?? null;
    if (!ref) return;
    const report = await this.deliver(ref);
    // Not due yet (e.g. the alarm fired early, or a newer claim moved the schedule): the
    // outcome write already set the right alarm, or the sweep will catch the row.
    log("debug", "delivery.alarm", { ref, result: report.kind });
  }

  private async remember(ref: DeliveryKey): Promise<void> {
    this.knownRef = ref;
    if (this.refStored) return;
    await this.ctx.storage.put(REF_KEY, ref);
    this.refStored = true;
  }

  /** A terminal (or missing) delivery needs nothing here any more: no alarm, no state. */
  private async forget(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.delete(REF_KEY);
    this.refStored = false;
  }

  /**
   * The claim missed: say why, and keep the alarm right. A pending row that is not due yet
   * (an alarm that fired a little early, a lease held by an attempt that died) gets its alarm
   * at `scheduled_for`, so the retry does not wait for the next sweep.
   */
  private async explainMiss(db: Db, id: number): Promise<AttemptReport> {
    const state = await deliveryState(db, id);
    if (!state) {
      await this.forget();
      return { kind: "missing" };
    }
    if (state.status !== "pending") {
      await this.forget();
      return { kind: "not_claimed" };
    }
    const due = state.due_ms ?? Date.now();
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > due) await this.ctx.storage.setAlarm(due);
    return { kind: "not_claimed" };
  }

  private async attempt(ref: DeliveryKey): Promise<AttemptReport> {
    const config = getConfig(this.env);
    const db = getDb(config);
    const claimed = await claimDelivery(db, ref.id, config.leaseSeconds);
    if (!claimed) return this.explainMiss(db, ref.id);
    // If this isolate dies mid-send, the alarm re-attempts once the lease is over.
    await this.ctx.storage.setAlarm(Date.now() + config.leaseSeconds * 1000);
    try {
      const report = await runAttempt({ env: this.env, config, db, delivery: claimed });
      await this.scheduleAfter(report);
      return report;
    } catch (err) {
      // runAttempt records its own failures; reaching here means even that failed.
      log("error", "delivery.attempt_crashed", {
        delivery_id: claimed.id,
        error: describeError(err),
      });
      throw err;
    }
  }

  private async scheduleAfter(report: AttemptReport): Promise<void> {
    if (report.kind === "retry_scheduled") {
      await this.ctx.storage.setAlarm(report.scheduledFor.getTime());
    } else if (report.kind === "succeeded" || report.kind === "dead_letter") {
      await this.forget();
    }
    // "unrecorded": keep the lease alarm, so the attempt is retried after the lease.
  }
}
