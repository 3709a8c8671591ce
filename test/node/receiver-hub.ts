/**
 * Real HTTP receivers on loopback for the workerd tests (which cannot listen themselves).
 * A test creates a receiver with a script of responses, the Worker delivers to its URL, and
 * the test reads back exactly what arrived.
 *
 *   POST /__hub/receivers              {responses?: Scripted[], fallback?: Scripted} -> {id, url}
 *   GET  /__hub/receivers/:id/requests -> Recorded[]
 *   *    /r/:id/...                    records the request, answers the next scripted response
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Recorded, Scripted } from "../helpers/receiver-types";

interface Receiver {
  responses: Scripted[];
  fallback: Scripted;
  requests: Recorded[];
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

async function answer(res: ServerResponse, scripted: Scripted): Promise<void> {
  if (scripted.delayMs) await new Promise((r) => setTimeout(r, scripted.delayMs));
  if (scripted.reset) {
    res.socket?.destroy();
    return;
  }
  if (res.destroyed) return;
  res.writeHead(scripted.status, { "content-type": "text/plain", ...scripted.headers });
  res.end(scripted.body ?? "");
}

/** Starts the hub on an ephemeral loopback port. */
export async function startReceiverHub(): Promise<{ url: string; close: () => Promise<void> }> {
  const receivers = new Map<string, Receiver>();
  let base = "";
  const server: Server = createServer(async (req, res) => {
    try {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const body = await readBody(req);
      const parts = path.split("/").filter(Boolean);
      if (parts[0] === "__hub" && parts[1] === "receivers") {
        if (req.method === "POST" && parts.length === 2) {
          const spec = body ? (JSON.parse(body) as Partial<Receiver>) : {};
          const id = randomUUID();
          receivers.set(id, {
            responses: spec.responses ?? [],
            fallback: spec.fallback ?? { status: 200, body: "ok" },
            requests: [],
          });
          return sendJson(res, 201, { id, url: `${base}/r/${id}` });
        }
        const receiver = receivers.get(parts[2] ?? "");
        if (!receiver) return sendJson(res, 404, { error: "no such receiver" });
        return sendJson(res, 200, receiver.requests);
      }
      if (parts[0] === "r") {
        const receiver = receivers.get(parts[1] ?? "");
        if (!receiver) return sendJson(res, 404, { error: "no such receiver" });
        receiver.requests.push({
          method: req.method ?? "GET",
          path,
          headers: flatHeaders(req),
          body,
          receivedAt: new Date().toISOString(),
        });
        return await answer(res, receiver.responses.shift() ?? receiver.fallback);
      }
      sendJson(res, 404, { error: "unknown path" });
    } catch (err) {
      sendJson(res, 500, { error: String(err) });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
