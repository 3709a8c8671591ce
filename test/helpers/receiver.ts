/** Real loopback receivers (served by test/node/receiver-hub.ts) for the workerd tests. */
import { inject } from "vitest";
import type { Recorded, Scripted } from "./receiver-types";

export type { Recorded, Scripted };

export interface Receiver {
  url: string;
  requests(): Promise<Recorded[]>;
  /** Waits until at least `count` requests arrived (or fails after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<Recorded[]>;
}

/** A receiver answering `responses` in order, then `fallback` (default 200 "ok"). */
export async function createReceiver(
  responses: Scripted[] = [],
  fallback?: Scripted,
): Promise<Receiver> {
  const hub = inject("receiverHub");
  const res = await fetch(`${hub}/__hub/receivers`, {
    method: "POST",
    body: JSON.stringify({ responses, fallback }),
  });
  const { id, url } = (await res.json()) as { id: string; url: string };
  const requests = async () =>
    (await (await fetch(`${hub}/__hub/receivers/${id}/requests`)).json()) as Recorded[];
  return {
    url,
    requests,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const seen = await requests();
        if (seen.length >= count) return seen;
        if (Date.now() > deadline) {
          throw new Error(`receiver got ${seen.length} of ${count} requests in ${timeoutMs} ms`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
