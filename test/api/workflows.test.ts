import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { db, webhookNode } from "../helpers/fixtures";
import { createReceiver } from "../helpers/receiver";
import { waitUntil } from "../helpers/wait";
import { call, expectProblem, newOrganization } from "./client";

let org: { id: number; apiKey: string };

beforeAll(async () => {
  org = await newOrganization();
});

async function createWorkflow(nodes: unknown[], token = org.apiKey) {
  const res = await call("/v1/workflows", {
    token,
    json: { name: "call flow", definition: { nodes } },
  });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: number; definition_id: number; warnings: unknown[] };
}

describe("POST /v1/workflows", () => {
  it("creates a workflow with its first definition as the current one", async () => {
    const nodes = [
      { id: "start", type: "startCall", data: { prompt: "hi" } },
      webhookNode("n1", {
        endpoint_url: "https://example.com/hook",
        payload_template: { a: "{{x}}" },
      }),
    ];
    const created = await createWorkflow(nodes);
    expect(created).toEqual({
      id: expect.any(Number),
      definition_id: expect.any(Number),
      warnings: [],
    });
    const row = await db().execute(
      sql`SELECT w.current_definition_id, d.workflow_json FROM workflows w JOIN workflow_definitions d ON d.workflow_id = w.id WHERE w.id = ${created.id}`,
    );
    expect(row.rows[0]).toEqual({
      current_definition_id: created.definition_id,
      workflow_json: { nodes },
    });
    const got = await call(`/v1/workflows/${created.id}`, { token: org.apiKey });
    expect(got.body).toEqual({
      id: created.id,
      name: "call flow",
      definition_id: created.definition_id,
      definition: { nodes },
    });
  });

  it("stores the definition as written, key order included", async () => {
    const definition = {
      zeta: { b: 1, a: 2 },
      nodes: [{ type: "startCall", id: "start", data: { z: 1, a: 2 } }],
      alpha: true,
    };
    const res = await call("/v1/workflows", { token: org.apiKey, json: { name: "o", definition } });
    expect(res.status, res.text).toBe(201);
    const row = await db().execute<{ text: string }>(
      sql`SELECT workflow_json::text AS text FROM workflow_definitions WHERE id = ${res.body.definition_id}`,
    );
    expect(row.rows[0]?.text).toBe(JSON.stringify(definition));
    const got = await call(`/v1/workflows/${res.body.id}`, { token: org.apiKey });
    expect(JSON.stringify(got.body.definition)).toBe(JSON.stringify(definition));
  });

  it("accepts invalid webhook nodes with warnings; a run skips them and sends the others", async () => {
    const receiver = await createReceiver();
    const res = await call("/v1/workflows", {
      token: org.apiKey,
      json: {
        name: "partly broken",
        definition: {
          nodes: [
            webhookNode("ok", { endpoint_url: receiver.url, payload_template: { n: "ok" } }),
            webhookNode("broken", { endpoint_url: receiver.url, http_method: "TRACE" }),
            webhookNode("headers", {
              endpoint_url: receiver.url,
              custom_headers: [{ key: 1, value: "v" }],
            }),
            webhookNode("ftp", { endpoint_url: "ftp://example.com/hook" }),
            { id: 7, type: "webhook", data: { endpoint_url: receiver.url } },
            webhookNode("off", { endpoint_url: receiver.url, enabled: false, http_method: "X" }),
          ],
        },
      },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.warnings).toEqual([
      { node_id: "broken", message: expect.stringContaining("data.http_method must be one of") },
      { node_id: "headers", message: "data.custom_headers[0].key must be a string" },
      { node_id: "ftp", message: "data.endpoint_url must use http or https" },
      { node_id: "7", message: "data.name is required" },
      { node_id: "off", message: expect.stringContaining("data.http_method") },
    ]);

    const run = await call("/v1/workflow-runs", {
      token: org.apiKey,
      json: { workflow_id: res.body.id, name: "call" },
    });
    expect(run.status, run.text).toBe(201);
    const queued = await call(`/v1/workflow-runs/${run.body.id}/integrations`, {
      method: "POST",
      token: org.apiKey,
    });
    expect(queued.status).toBe(202);
    const [sent] = await receiver.waitFor(1);
    expect(JSON.parse(sent?.body ?? "")).toMatchObject({ n: "ok" });
    const listed = await waitUntil(async () => {
      const page = await call(`/v1/deliveries?workflow_run_id=${run.body.id}`, {
        token: org.apiKey,
      });
      return page.body.data.length > 0 ? page.body.data : null;
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await receiver.requests()).toHaveLength(1);
    expect(listed.map((d: { webhook_node_id: string }) => d.webhook_node_id)).toEqual(["ok"]);
  });

  it("answers 422 for a node without an id", async () => {
    for (const id of [undefined, "", null, { x: 1 }, true]) {
      const node = { type: "startCall", data: {}, ...(id === undefined ? {} : { id }) };
      const res = await call("/v1/workflows", {
        token: org.apiKey,
        json: { name: "no id", definition: { nodes: [webhookNode("a", {}), node] } },
      });
      expect(expectProblem(res, 422, "validation_failed").errors, JSON.stringify(id)).toEqual([
        { field: "definition.nodes.1.id", message: "must be a non-empty string or a number" },
      ]);
    }
  });

  it("answers 422 for two webhook nodes with one id", async () => {
    const res = await call("/v1/workflows", {
      token: org.apiKey,
      json: {
        name: "duplicates",
        definition: {
          nodes: [
            webhookNode("1", { endpoint_url: "https://example.com/a" }),
            { id: "start", type: "startCall" },
            { id: "start", type: "endCall" },
            { id: 1, type: "webhook", data: { name: "n", endpoint_url: "https://example.com/b" } },
          ],
        },
      },
    });
    expect(expectProblem(res, 422, "validation_failed").errors).toEqual([
      {
        field: "definition.nodes.3.id",
        message: 'webhook node id "1" is also used by definition.nodes.0',
      },
    ]);
  });

  it("answers 422 when definition is not an object or nodes not an array", async () => {
    for (const [definition, field] of [
      [[], "definition"],
      ["x", "definition"],
      [{}, "definition.nodes"],
      [{ nodes: {} }, "definition.nodes"],
      [{ nodes: [1] }, "definition.nodes.0"],
    ] as const) {
      const res = await call("/v1/workflows", {
        token: org.apiKey,
        json: { name: "structural", definition },
      });
      const errors = expectProblem(res, 422, "validation_failed").errors;
      expect(errors[0].field, JSON.stringify(definition)).toBe(field);
    }
  });

  it("answers 422 for a missing name or definition", async () => {
    const res = await call("/v1/workflows", {
      token: org.apiKey,
      json: { definition: { nodes: "x" } },
    });
    const fields = expectProblem(res, 422)
      .errors.map((e: { field: string }) => e.field)
      .sort();
    expect(fields).toEqual(["definition.nodes", "name"]);
  });

  it("answers 404 for an unknown workflow", async () => {
    expectProblem(await call("/v1/workflows/2147483000", { token: org.apiKey }), 404, "not_found");
    expectProblem(await call("/v1/workflows/abc", { token: org.apiKey }), 404, "not_found");
    expectProblem(await call("/v1/workflows/99999999999", { token: org.apiKey }), 404, "not_found");
  });
});

describe("workflow runs", () => {
  it("creates a run pinned to the current definition and delivers its webhook nodes", async () => {
    const receiver = await createReceiver();
    const workflow = await createWorkflow([
      webhookNode("report", {
        endpoint_url: receiver.url,
        payload_template: { run: "{{workflow_run_id}}", outcome: "{{gathered_context.outcome}}" },
      }),
    ]);
    const run = await call("/v1/workflow-runs", {
      token: org.apiKey,
      json: {
        workflow_id: workflow.id,
        name: "call 1",
        gathered_context: { outcome: "sale", call_disposition: "done" },
        initial_context: { phone: "+1" },
        recording_url: "https://example.com/r.mp3",
      },
    });
    expect(run.status, run.text).toBe(201);
    expect(run.body).toEqual({ id: expect.any(Number) });
    const got = await call(`/v1/workflow-runs/${run.body.id}`, { token: org.apiKey });
    expect(got.body).toMatchObject({
      id: run.body.id,
      workflow_id: workflow.id,
      definition_id: workflow.definition_id,
      name: "call 1",
      gathered_context: { outcome: "sale", call_disposition: "done" },
      annotations: null,
    });

    const queued = await call(`/v1/workflow-runs/${run.body.id}/integrations`, {
      method: "POST",
      token: org.apiKey,
    });
    expect(queued.status).toBe(202);
    expect(queued.body).toEqual({ workflow_run_id: run.body.id, status: "queued" });
    const [sent] = await receiver.waitFor(1);
    expect(JSON.parse(sent?.body ?? "")).toEqual({
      run: String(run.body.id),
      outcome: "sale",
      call_disposition: "done",
    });
    expect(sent?.headers["x-dograh-workflow-run-id"]).toBe(String(run.body.id));

    const listed = await waitUntil(async () => {
      const res = await call(`/v1/deliveries?workflow_run_id=${run.body.id}`, {
        token: org.apiKey,
      });
      return res.body.data.length === 1 ? res.body.data : null;
    });
    expect(listed[0]).toMatchObject({ workflow_run_id: run.body.id, webhook_node_id: "report" });

    // Running integrations again creates nothing new (get-or-create per run and node).
    await call(`/v1/workflow-runs/${run.body.id}/integrations`, {
      method: "POST",
      token: org.apiKey,
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await receiver.requests()).toHaveLength(1);
  });

  it("answers 404 for a workflow of another organization or none", async () => {
    const other = await newOrganization();
    const theirs = await createWorkflow([], other.apiKey);
    for (const workflow_id of [theirs.id, 2147483000]) {
      const res = await call("/v1/workflow-runs", {
        token: org.apiKey,
        json: { workflow_id, name: "x" },
      });
      expect(expectProblem(res, 404, "not_found").detail).toBe("Workflow not found");
    }
  });

  it("answers 422 for a bad workflow_id or context", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, "workflow_id"],
      [{ workflow_id: "one" }, "workflow_id"],
      [{ workflow_id: 0 }, "workflow_id"],
      [{ workflow_id: 1, gathered_context: [1] }, "gathered_context"],
      [{ workflow_id: 1, recording_url: 5 }, "recording_url"],
    ];
    for (const [json, field] of cases) {
      const res = await call("/v1/workflow-runs", { token: org.apiKey, json });
      expect(expectProblem(res, 422).errors[0].field, JSON.stringify(json)).toBe(field);
    }
  });

  it("answers 404 for integrations of an unknown run", async () => {
    for (const id of ["2147483000", "x"]) {
      expectProblem(
        await call(`/v1/workflow-runs/${id}/integrations`, { method: "POST", token: org.apiKey }),
        404,
      );
      expectProblem(await call(`/v1/workflow-runs/${id}`, { token: org.apiKey }), 404);
    }
  });
});
