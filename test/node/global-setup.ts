/**
 * Runs once in Node before the workerd tests: starts the local Neon endpoint in its own
 * process (fresh in-memory PGlite, or a throwaway database on TEST_DATABASE_URL's server),
 * applies the migrations through it, and starts the loopback receiver hub.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { TestProject } from "vitest/node";
import { migrate } from "../../local/migrate.mjs";
import { createScratchDatabase } from "../../local/scratch-db.mjs";
import { startReceiverHub } from "./receiver-hub";

/** The connection string the Worker sends; the local endpoint ignores it. */
const LOCAL_DATABASE_URL = "postgres://local:local@localhost:5432/local";

async function startEndpoint(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["local/neon-endpoint.mjs", "--test-hooks", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`neon endpoint exited with ${code}`)));
    lines.on("line", (line) => {
      try {
        const ready = JSON.parse(line) as { ready?: boolean; url?: string };
        if (ready.ready && ready.url) resolve(ready.url);
      } catch {
        // not the ready line
      }
    });
  });
  return { child, url };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  const scratch = serverUrl ? await createScratchDatabase(serverUrl) : null;
  const endpoint = await startEndpoint(scratch ? ["--database-url", scratch.url] : []);
  await migrate({ databaseUrl: LOCAL_DATABASE_URL, sqlEndpoint: endpoint.url });
  const hub = await startReceiverHub();

  project.provide("sqlEndpoint", endpoint.url);
  project.provide("databaseUrl", LOCAL_DATABASE_URL);
  project.provide("receiverHub", hub.url);
  project.provide("backend", scratch ? "postgres" : "pglite");

  return async () => {
    await hub.close();
    const exited = new Promise((resolve) => endpoint.child.once("exit", resolve));
    endpoint.child.kill("SIGTERM");
    await exited;
    await scratch?.drop();
  };
}
