/** The receiver hub's wire types, shared by the Node server and the workerd test helper. */

/** One scripted answer of a receiver. */
export interface Scripted {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering (to exercise timeouts). */
  delayMs?: number;
  /** Destroy the socket instead of answering (a network error). */
  reset?: boolean;
}

/** One request as the receiver got it. */
export interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  receivedAt: string;
}
