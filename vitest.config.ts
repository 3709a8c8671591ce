import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Two projects:
// - "worker": inside workerd against the real Worker (queue, Durable Object, alarm and cron
//   handlers), the real Neon driver, a real Postgres behind the local endpoint, and real
//   loopback receivers. Test-only settings live here, never in the code.
// - "node": the Node-side tooling (local endpoint, migrations, dev launcher).
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              // Every variable the code reads is pinned here, so a developer's .dev.vars (which
              // wrangler also loads) cannot change what the tests see.
              bindings: {
                WEBHOOK_DELIVERY_MAX_ATTEMPTS: "5",
                WEBHOOK_DELIVERY_BASE_DELAY_SECONDS: "30",
                WEBHOOK_DELIVERY_MAX_DELAY_SECONDS: "600",
                LOG_LEVEL: "info",
                DATABASE_URL: inject("databaseUrl"),
                LOCAL_SQL_ENDPOINT: inject("sqlEndpoint"),
                WEBHOOK_ALLOW_PRIVATE_NETWORKS: "true",
                ADMIN_TOKEN: "test-admin-token",
                CREDENTIALS_ENCRYPTION_KEY: "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMzJiISE=",
                WEBHOOK_DELIVERY_TIMEOUT_SECONDS: "2",
              },
            },
          })),
        ],
        test: {
          name: "worker",
          globalSetup: ["./test/node/global-setup.ts"],
          include: ["test/**/*.test.ts"],
          exclude: ["test/node/**"],
          // One file at a time: the sweep re-drives every overdue row in the shared database, and
          // round-trip counts read the endpoint's counters, so files must not overlap.
          fileParallelism: false,
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: "node",
          environment: "node",
          include: ["test/node/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
