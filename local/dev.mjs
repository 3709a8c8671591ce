// @ts-check
/**
 * `npm run dev`: the whole service locally, no account, no Docker, no database server.
 *  1. the local Neon-compatible SQL endpoint (its own process; PGlite under .data/pglite, or
 *     the PostgreSQL server named by DATABASE_URL),
 *  2. migrations, the dev organization and its API key (DEV_API_KEY),
 *  3. `wrangler dev` on 127.0.0.1:$PORT (default 8787), state persisted under .data/wrangler,
 *  4. the sweep at start and every 5 minutes (Cron Triggers never fire by themselves locally).
 * Ctrl-C stops every process it started, and only those.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { ensureDevOrganization } from "./dev-org.mjs";
import { migrate } from "./migrate.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DATA = process.env.DEV_DATA_DIR ?? join(ROOT, ".data");
const PORT = Number(process.env.PORT ?? 8787);
const SWEEP_EVERY_MS = 5 * 60 * 1000;
/** The connection string the Worker sends; the local endpoint ignores it. */
const WORKER_DATABASE_URL = "postgres://local:local@localhost:5432/local";
export const DEFAULT_DEV_API_KEY = "whk_dev_local_only_0123456789abcdef";

/** @type {import("node:child_process").ChildProcess[]} */
const children = [];
let stopping = false;

/** @param {string} line */
function say(line) {
  console.log(`[dev] ${line}`);
}

/** @returns {Promise<string>} the endpoint URL once it is ready */
function startSqlEndpoint() {
  const args = ["local/neon-endpoint.mjs", "--port", String(Number(process.env.SQL_PORT ?? 0))];
  if (process.env.DATABASE_URL) args.push("--database-url", process.env.DATABASE_URL);
  else args.push("--data-dir", join(DATA, "pglite"));
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  child.once("exit", (code) => {
    if (!stopping) {
      say(`the SQL endpoint exited (code ${code}); stopping`);
      void stop(1);
    }
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the SQL endpoint exited (code ${code})`)));
    createInterface({ input: /** @type {NodeJS.ReadableStream} */ (child.stdout) }).on(
      "line",
      (line) => {
        try {
          const ready = JSON.parse(line);
          if (ready.ready) resolve(ready.url);
        } catch {
          console.log(line);
        }
      },
    );
  });
}

/** @param {string} sqlEndpoint */
function startWrangler(sqlEndpoint) {
  const cli = join(ROOT, "node_modules", "wrangler", "wrangler-dist", "cli.js");
  const args = [
    cli,
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(PORT),
    "--persist-to",
    join(DATA, "wrangler"),
  ];
  args.push(
    "--var",
    `LOCAL_SQL_ENDPOINT:${sqlEndpoint}`,
    "--var",
    `DATABASE_URL:${WORKER_DATABASE_URL}`,
  );
  args.push("--var", "WEBHOOK_ALLOW_PRIVATE_NETWORKS:true", "--show-interactive-dev-session=false");
  const env = {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
  };
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    env,
  });
  children.push(child);
  child.once("exit", (code) => {
    if (!stopping) {
      say(`wrangler dev exited (code ${code}); stopping`);
      void stop(1);
    }
  });
}

/**
 * Waits for /healthz. A 503 that names a configuration problem ends the wait at once: the
 * service will not get better by itself, and the person at the terminal needs to read why.
 * @param {string} url @param {number} timeoutMs
 */
async function waitForHealth(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  /** @type {unknown} */
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      const body = /** @type {{ error?: string }} */ (await res.json());
      if (res.ok) return body;
      if (body.error)
        throw new Error(`the Worker refuses its configuration: ${body.error} (see .dev.vars)`);
      last = `HTTP ${res.status} ${JSON.stringify(body)}`;
    } catch (err) {
      if (err instanceof Error && err.message.startsWith("the Worker refuses")) throw err;
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s (last: ${last})`);
}

async function runSweep() {
  try {
    const res = await fetch(`http://127.0.0.1:${PORT}/cdn-cgi/handler/scheduled?cron=*/5+*+*+*+*`);
    say(`sweep triggered (HTTP ${res.status})`);
  } catch (err) {
    say(`sweep trigger failed: ${err instanceof Error ? err.message : err}`);
  }
}

/** @param {number} code */
async function stop(code) {
  if (stopping) return;
  stopping = true;
  say("stopping...");
  // wrangler first (it talks to the endpoint), then the endpoint (PGlite closes its data dir).
  for (const child of [...children].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
  process.exit(code);
}

async function main() {
  mkdirSync(DATA, { recursive: true });
  if (!existsSync(join(ROOT, ".dev.vars"))) {
    copyFileSync(join(ROOT, ".dev.vars.example"), join(ROOT, ".dev.vars"));
    say("wrote .dev.vars from .dev.vars.example");
  }
  const sqlEndpoint = await startSqlEndpoint();
  say(
    `database: ${process.env.DATABASE_URL ? "PostgreSQL server (DATABASE_URL)" : `PGlite in ${join(DATA, "pglite")}`}`,
  );
  say(`SQL endpoint: ${sqlEndpoint}`);
  const { applied } = await migrate({ databaseUrl: WORKER_DATABASE_URL, sqlEndpoint });
  say(applied.length ? `migrations applied: ${applied.join(", ")}` : "migrations: up to date");
  const apiKey = process.env.DEV_API_KEY ?? DEFAULT_DEV_API_KEY;
  const org = await ensureDevOrganization({
    databaseUrl: WORKER_DATABASE_URL,
    sqlEndpoint,
    apiKey,
  });
  startWrangler(sqlEndpoint);
  const health = await waitForHealth(`http://127.0.0.1:${PORT}/healthz`, 120_000);
  say(`API: http://127.0.0.1:${PORT}  (healthz: ${JSON.stringify(health)})`);
  say(`dev organization ${org.id}; API key: ${apiKey}`);
  say(`try: curl -H "Authorization: Bearer ${apiKey}" http://127.0.0.1:${PORT}/v1/deliveries`);
  await runSweep();
  setInterval(runSweep, SWEEP_EVERY_MS).unref();
  say("ready; Ctrl-C stops everything");
}

process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
main().catch((err) => {
  console.error(`[dev] ${err instanceof Error ? err.message : err}`);
  void stop(1);
});
