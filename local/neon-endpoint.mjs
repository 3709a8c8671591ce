// @ts-check
// A local stand-in for Neon's SQL-over-HTTP endpoint, so @neondatabase/serverless and
// drizzle-orm/neon-http run unchanged against PGlite or a PostgreSQL server.
// Usage: node local/neon-endpoint.mjs [--port N] [--host H] [--data-dir DIR] [--database-url URL] [--test-hooks]
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createPgliteBackend } from "./neon-endpoint/pglite-backend.mjs";
import { createPostgresBackend } from "./neon-endpoint/postgres-backend.mjs";
import { createEndpointServer } from "./neon-endpoint/server.mjs";

/**
 * @typedef {object} NeonEndpointOptions
 * @property {number} [port] 0 (default) picks a free port
 * @property {string} [host] default "127.0.0.1"
 * @property {string} [databaseUrl] a PostgreSQL server to use instead of PGlite
 * @property {string} [dataDir] where PGlite persists its data; in memory when absent
 * @property {boolean} [testHooks] enables /__stats and /__faults
 * @property {(line: string) => void} [log] one-line diagnostics
 */
/**
 * @typedef {object} NeonEndpoint
 * @property {string} url what to set as neonConfig.fetchEndpoint
 * @property {number} port
 * @property {"pglite" | "postgres"} backend
 * @property {() => Promise<void>} close stops the server, then the database
 */

/**
 * @param {NeonEndpointOptions} [options]
 * @returns {Promise<NeonEndpoint>}
 */
export async function startNeonEndpoint(options = {}) {
  const { port = 0, host = "127.0.0.1", databaseUrl, dataDir, testHooks = false } = options;
  const log = options.log ?? (() => {});
  const backend = databaseUrl
    ? createPostgresBackend(databaseUrl, log)
    : await createPgliteBackend(dataDir, log);
  const server = createEndpointServer(backend, { testHooks, log });
  try {
    server.listen(port, host);
    await once(server, "listening");
  } catch (err) {
    await backend.close();
    throw err;
  }
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  const url = `http://${urlHost(host)}:${address.port}/sql`;
  log(`neon endpoint (${backend.kind}) listening on ${url}`);

  let closing;
  return {
    url,
    port: address.port,
    backend: backend.kind,
    close() {
      // In-flight requests finish first; PGlite must be closed cleanly to keep its data dir intact.
      closing ??= new Promise((resolve) => server.close(() => resolve(undefined))).then(() =>
        backend.close(),
      );
      return closing;
    },
  };
}

/** @param {string} host */
function urlHost(host) {
  return host.includes(":") ? `[${host}]` : host;
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      "data-dir": { type: "string" },
      "database-url": { type: "string" },
      "test-hooks": { type: "boolean", default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`invalid --port ${values.port}`);
  const endpoint = await startNeonEndpoint({
    port,
    host: values.host,
    dataDir: values["data-dir"],
    databaseUrl: values["database-url"],
    testHooks: values["test-hooks"],
    log: (line) => process.stderr.write(`[neon-endpoint] ${line}\n`),
  });
  const { url, backend } = endpoint;
  process.stdout.write(`${JSON.stringify({ ready: true, url, port: endpoint.port, backend })}\n`);
  const stop = () => {
    endpoint.close().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`[neon-endpoint] close failed: ${err}\n`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`[neon-endpoint] ${err instanceof Error ? err.message : err}\n`);
    process.exit(1);
  });
}
