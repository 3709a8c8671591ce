// @ts-check
/**
 * `npm run bench`: end-to-end numbers on this machine, printed as medians.
 * Starts the local stack like `npm run dev` (fresh in-memory PGlite, or a throwaway database on
 * BENCH_DATABASE_URL's server, dropped afterwards), a loopback receiver, and `wrangler dev`; then creates deliveries through the API and
 * measures: API latency, accepted-to-received latency, throughput, and SQL round trips.
 *
 *   npm run bench                         # 200 deliveries, 10 concurrent producers
 *   BENCH_DELIVERIES=500 BENCH_CONCURRENCY=20 npm run bench
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDevOrganization } from "./dev-org.mjs";
import { migrate } from "./migrate.mjs";
import { startNeonEndpoint } from "./neon-endpoint.mjs";
import { createScratchDatabase } from "./scratch-db.mjs";

const TOTAL = Number(process.env.BENCH_DELIVERIES ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const WORKER_DATABASE_URL = "postgres://local:local@localhost:5432/local";
const API_KEY = "whk_bench_local_only_0123456789abcd";

/** @param {number[]} values @param {number} q */
function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** A receiver that answers 200 at once and remembers when each delivery id arrived. */
async function startReceiver() {
  /** @type {Map<string, number>} */
  const arrived = new Map();
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const id = req.headers["x-dograh-delivery-id"];
      if (typeof id === "string" && !arrived.has(id)) arrived.set(id, performance.now());
      res.writeHead(200).end("ok");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/hook`, arrived, close: () => server.close() };
}

/** @param {string} sqlEndpoint @param {number} port @param {string} persistTo */
async function startWrangler(sqlEndpoint, port, persistTo) {
  const args = ["node_modules/wrangler/wrangler-dist/cli.js", "dev", "--ip", "127.0.0.1"];
  args.push(
    "--port",
    String(port),
    "--persist-to",
    persistTo,
    "--show-interactive-dev-session=false",
  );
  args.push(
    "--var",
    `LOCAL_SQL_ENDPOINT:${sqlEndpoint}`,
    "--var",
    `DATABASE_URL:${WORKER_DATABASE_URL}`,
  );
  args.push("--var", "WEBHOOK_ALLOW_PRIVATE_NETWORKS:true", "--var", "LOG_LEVEL:error");
  args.push("--var", "CREDENTIALS_ENCRYPTION_KEY:ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtaW4tcHJvZCE=");
  const env = {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
  };
  const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"], env });
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  child.kill("SIGTERM");
  throw new Error("wrangler dev did not come up");
}

/** @param {string} base */
async function sqlRequests(base) {
  const stats = /** @type {{ requests: number }} */ (await (await fetch(`${base}/__stats`)).json());
  return stats.requests;
}

async function main() {
  const persistTo = mkdtempSync(join(tmpdir(), "webhook-bench-"));
  const scratch = process.env.BENCH_DATABASE_URL
    ? await createScratchDatabase(process.env.BENCH_DATABASE_URL, "webhook_bench")
    : null;
  const endpoint = await startNeonEndpoint({
    testHooks: true,
    ...(scratch ? { databaseUrl: scratch.url } : {}),
  });
  const statsBase = endpoint.url.replace(/\/sql$/, "");
  await migrate({ databaseUrl: WORKER_DATABASE_URL, sqlEndpoint: endpoint.url });
  await ensureDevOrganization({
    databaseUrl: WORKER_DATABASE_URL,
    sqlEndpoint: endpoint.url,
    apiKey: API_KEY,
  });
  const receiver = await startReceiver();
  const port = await freePort();
  const wrangler = await startWrangler(endpoint.url, port, persistTo);
  const api = `http://127.0.0.1:${port}`;
  try {
    // Warm-up: first requests compile and open connections.
    for (let i = 0; i < 5; i++) await createDelivery(api, receiver.url, `warm-${i}`);
    await waitFor(() => receiver.arrived.size >= 5, 30_000);

    const before = await sqlRequests(statsBase);
    /** @type {{ id: string, start: number, apiMs: number }[]} */
    const created = [];
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < TOTAL) {
          const n = next++;
          const start = performance.now();
          const id = await createDelivery(api, receiver.url, `bench-${n}`);
          created.push({ id, start, apiMs: performance.now() - start });
        }
      }),
    );
    await waitFor(() => created.every((c) => receiver.arrived.has(c.id)), 120_000);
    const elapsedS =
      (Math.max(...created.map((c) => receiver.arrived.get(c.id) ?? 0)) - started) / 1000;
    // Let the outcome writes land before reading the counter.
    await new Promise((r) => setTimeout(r, 1500));
    const sqlPerDelivery = ((await sqlRequests(statsBase)) - before) / TOTAL;

    const apiMs = created.map((c) => c.apiMs);
    const e2eMs = created.map((c) => (receiver.arrived.get(c.id) ?? 0) - c.start);
    console.log(
      `backend: ${endpoint.backend}; ${TOTAL} deliveries, ${CONCURRENCY} concurrent producers`,
    );
    console.log(
      `POST /v1/deliveries latency     median ${quantile(apiMs, 0.5).toFixed(1)} ms, p90 ${quantile(apiMs, 0.9).toFixed(1)} ms`,
    );
    console.log(
      `accepted -> received latency    median ${quantile(e2eMs, 0.5).toFixed(1)} ms, p90 ${quantile(e2eMs, 0.9).toFixed(1)} ms`,
    );
    console.log(`throughput                      ${(TOTAL / elapsedS).toFixed(1)} deliveries/s`);
    console.log(
      `SQL round trips per delivery    ${sqlPerDelivery.toFixed(2)} (API create + queue + attempt)`,
    );
  } finally {
    wrangler.kill("SIGTERM");
    await new Promise((r) => wrangler.once("exit", r));
    receiver.close();
    await endpoint.close();
    await scratch?.drop();
    rmSync(persistTo, { recursive: true, force: true });
  }
}

/** @param {string} api @param {string} url @param {string} key @returns {Promise<string>} */
async function createDelivery(api, url, key) {
  const res = await fetch(`${api}/v1/deliveries`, {
    method: "POST",
    headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({
      endpoint_url: url,
      payload: { key, at: Date.now() },
      idempotency_key: key,
    }),
  });
  if (res.status !== 201)
    throw new Error(`POST /v1/deliveries answered ${res.status}: ${await res.text()}`);
  return /** @type {{id: string}} */ (await res.json()).id;
}

/** @param {() => boolean} done @param {number} timeoutMs */
async function waitFor(done, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for deliveries");
    await new Promise((r) => setTimeout(r, 20));
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
