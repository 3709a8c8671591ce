/** The local SQL endpoint's test hooks: request counts and injected faults. */
import { inject } from "vitest";

const base = () => inject("sqlEndpoint").replace(/\/sql$/, "");

export interface Fault {
  /** Substring of the query text. */
  match: string;
  /** Values that must all be among the query's parameters (as text). */
  params?: string[];
  connection?: string;
  times?: number;
  when?: "before" | "after";
  status?: number;
  pgError?: { code: string; message: string };
}

/** Makes the next matching SQL request(s) fail. */
export async function injectFault(fault: Fault): Promise<void> {
  const res = await fetch(`${base()}/__faults`, { method: "POST", body: JSON.stringify(fault) });
  if (!res.ok) throw new Error(`fault refused: ${await res.text()}`);
}

export async function clearFaults(): Promise<void> {
  await fetch(`${base()}/__faults`, { method: "DELETE" });
}

/** SQL HTTP requests whose connection string contains `connection` (or all, without one). */
export async function sqlRequests(connection?: string): Promise<number> {
  const query = connection ? `?connection=${encodeURIComponent(connection)}` : "";
  const stats = (await (await fetch(`${base()}/__stats${query}`)).json()) as { requests: number };
  return stats.requests;
}
