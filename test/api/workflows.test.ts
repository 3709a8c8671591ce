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
  return res.body as { id: number; definition_id: number };
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
    expect(created).toEqual({ id: expect.any(Number), definition_id: expect.any(Number) });
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

  it("answers 422 naming the node and field of an invalid webhook node", async () => {
    const res = await call("/v1/workflows", {
      token: org.apiKey,
      json: {
        name: "bad",
        definition: {
          nodes: [
            webhookNode("ok", { endpoint_url: "https://example.com/" }),
            webhookNode("broken", { endpoint_url: "https://example.com/", http_method: "TRACE" }),
            webhookNode("headers", { custom_headers: [{ key: 1, value: "v" }] }),
            webhookNode("ok", { endpoint_url: "https://example.com/other" }),
          ],
        },
      },
    });
    const problem = expectProblem(res, 422, "validation_failed");
    expect(problem.errors).toEqual([
      {
        field: "definition.nodes.1.data.http_method",
        message: expect.stringContaining('"broken"'),
      },
      {
        field: "definition.nodes.2.data.custom_headers.0.key",
        message: expect.stringContaining('"headers"'),
      },
      { field: "definition.nodes.3.id", message: expect.stringContaining("another webhook node") },
    ]);
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
