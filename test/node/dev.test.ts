/**
 * `npm run dev` as a newcomer uses it: it comes up healthy on an embedded database, Ctrl-C
 * (SIGINT to the whole process group, as a terminal sends it) leaves nothing running, and a
 * second start keeps the data.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dataDir = mkdtempSync(join(tmpdir(), "webhook-dev-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Every descendant pid of `root` (ps is on every Linux machine this runs on). */
function descendants(root: number): number[] {
  const table = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const [pid, ppid] of table) {
      if (ppid === parent && pid !== undefined) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function startDev(port: number): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ["local/dev.mjs"], {
    env: { ...process.env, PORT: String(port), DEV_DATA_DIR: dataDir, DATABASE_URL: "" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const deadline = Date.now() + 90_000;
  while (!output.includes("ready; Ctrl-C stops everything")) {
    if (child.exitCode !== null) throw new Error(`npm run dev exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm run dev did not get ready:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, output: () => output };
}

async function ctrlC(child: ChildProcess): Promise<number[]> {
  const tree = descendants(child.pid ?? 0);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(-(child.pid ?? 0), "SIGINT");
  await exited;
  // Give the last grandchildren (workerd) a moment to finish exiting.
  for (let i = 0; i < 40 && tree.some(alive); i++) await new Promise((r) => setTimeout(r, 250));
  return tree;
}

describe("npm run dev", () => {
  it("serves healthz on PGlite, stops everything on Ctrl-C, and keeps data across restarts", async () => {
    const port = await freePort();
    const first = await startDev(port);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await health.json()).toEqual({ ok: true, database: "up" });
    expect(first.output()).toMatch(/migrations applied: 0000_initial/);
    const orgLine = first.output().match(/dev organization (\d+)/)?.[1];
    const tree = await ctrlC(first.child);
    expect(tree.length).toBeGreaterThanOrEqual(2);
    expect(tree.filter(alive)).toEqual([]);

    const second = await startDev(port);
    expect(second.output()).toMatch(/migrations: up to date/);
    expect(second.output().match(/dev organization (\d+)/)?.[1]).toBe(orgLine);
    const again = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(again.status).toBe(200);
    const secondTree = await ctrlC(second.child);
    expect(secondTree.filter(alive)).toEqual([]);
  }, 240_000);
});
