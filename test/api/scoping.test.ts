import { describe, expect, it } from "vitest";
import { createReceiver } from "../helpers/receiver";
import { call, createDelivery, newOrganization } from "./client";

/** The problem body without the path-specific detail, to compare "foreign" with "missing". */
function shape(res: { status: number; body: Record<string, unknown> }) {
  return {
    status: res.status,
    keys: Object.keys(res.body).sort(),
    code: res.body.code,
    title: res.body.title,
  };
}

describe("organization scoping", () => {
  it("answers another organization's resources exactly like missing ones", async () => {
    const mine = await newOrganization();
    const theirs = await newOrganization();
    const receiver = await createReceiver();
    const delivery = await createDelivery(theirs.apiKey, { endpoint_url: receiver.url });
    const credential = await call("/v1/credentials", {
      token: theirs.apiKey,
      json: { name: "c", credential_type: "bearer_token", credential_data: { token: "t" } },
    });
    const workflow = await call("/v1/workflows", {
      token: theirs.apiKey,
      json: { name: "w", definition: { nodes: [] } },
    });
    const run = await call("/v1/workflow-runs", {
      token: theirs.apiKey,
      json: { workflow_id: workflow.body.id, name: "r" },
    });
    const cases: [string, string, string, unknown?][] = [
      ["GET", `/v1/deliveries/${delivery.id}`, `/v1/deliveries/${crypto.randomUUID()}`],
      [
        "POST",
        `/v1/deliveries/${delivery.id}/retry`,
        `/v1/deliveries/${crypto.randomUUID()}/retry`,
      ],
      [
        "GET",
        `/v1/credentials/${credential.body.credential_uuid}`,
        `/v1/credentials/${crypto.randomUUID()}`,
      ],
      [
        "PUT",
        `/v1/credentials/${credential.body.credential_uuid}`,
        `/v1/credentials/${crypto.randomUUID()}`,
        { credential_data: { token: "stolen" } },
      ],
      [
        "DELETE",
        `/v1/credentials/${credential.body.credential_uuid}`,
        `/v1/credentials/${crypto.randomUUID()}`,
      ],
      ["GET", `/v1/workflows/${workflow.body.id}`, "/v1/workflows/2147483000"],
      ["GET", `/v1/workflow-runs/${run.body.id}`, "/v1/workflow-runs/2147483000"],
      [
        "POST",
        `/v1/workflow-runs/${run.body.id}/integrations`,
        "/v1/workflow-runs/2147483000/integrations",
      ],
    ];
    for (const [method, foreign, missing, json] of cases) {
      const a = await call(foreign, { method, token: mine.apiKey, json });
      const b = await call(missing, { method, token: mine.apiKey, json });
      expect(a.status, `${method} ${foreign}`).toBe(404);
      expect(shape(a)).toEqual(shape(b));
      expect(a.body.detail).toBe(b.body.detail);
    }
    // Nothing leaked into lists, and the owner still sees everything untouched.
    expect((await call("/v1/deliveries", { token: mine.apiKey })).body.data).toEqual([]);
    expect((await call("/v1/credentials", { token: mine.apiKey })).body.data).toEqual([]);
    const owned = await call(`/v1/credentials/${credential.body.credential_uuid}`, {
      token: theirs.apiKey,
    });
    expect(owned.body).toMatchObject({ is_active: true, updated_at: credential.body.updated_at });
    await receiver.waitFor(1);
  });
});
