import { describe, expect, it } from "vitest";
import { parseWebhookNode, webhookNodes } from "../../src/delivery/webhook-node";

function node(data: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { id: "webhook-1", type: "webhook", position: { x: 0, y: 0 }, data, ...extra };
}

const VALID = {
  name: "Notify CRM",
  endpoint_url: "https://crm.example.com/calls",
  payload_template: { run_id: "{{workflow_run_id}}" },
};

describe("webhookNodes", () => {
  it("returns only the nodes of type webhook", () => {
    const definition = {
      nodes: [
        { id: "1", type: "startCall", data: {} },
        node(VALID),
        { id: "3", type: "qa", data: {} },
        node(VALID, { id: "4" }),
      ],
      edges: [],
    };
    expect(webhookNodes(definition).map((n) => (n as { id: string }).id)).toEqual([
      "webhook-1",
      "4",
    ]);
  });

  it("accepts a json string definition", () => {
    expect(webhookNodes(JSON.stringify({ nodes: [node(VALID)] }))).toHaveLength(1);
  });

  it("tolerates garbage definitions", () => {
    for (const garbage of [
      null,
      undefined,
      42,
      "{not json",
      [],
      { nodes: "x" },
      { nodes: [null, 1, "a"] },
    ]) {
      expect(webhookNodes(garbage), JSON.stringify(garbage)).toEqual([]);
    }
  });
});

describe("parseWebhookNode", () => {
  it("parses a valid node with the reference defaults", () => {
    expect(parseWebhookNode(node(VALID))).toEqual({
      ok: true,
      node: {
        id: "webhook-1",
        name: "Notify CRM",
        enabled: true,
        http_method: "POST",
        endpoint_url: "https://crm.example.com/calls",
        credential_uuid: null,
        custom_headers: [],
        payload_template: { run_id: "{{workflow_run_id}}" },
      },
    });
  });

  it("normalises the http method to upper case", () => {
    const parsed = parseWebhookNode(node({ ...VALID, http_method: "patch" }));
    expect(parsed.ok === true && parsed.node.http_method).toBe("PATCH");
  });

  it("keeps headers, credential and a numeric node id", () => {
    const parsed = parseWebhookNode(
      node(
        {
          ...VALID,
          credential_uuid: "c0ffee00-0000-4000-8000-000000000000",
          custom_headers: [
            { key: "X-Source", value: "dograh" },
            { key: "X-N", value: 3 },
          ],
        },
        { id: 7 },
      ),
    );
    expect(parsed).toMatchObject({
      ok: true,
      node: {
        id: "7",
        credential_uuid: "c0ffee00-0000-4000-8000-000000000000",
        custom_headers: [
          { key: "X-Source", value: "dograh" },
          { key: "X-N", value: "3" },
        ],
      },
    });
  });

  it("skips a disabled node", () => {
    expect(parseWebhookNode(node({ ...VALID, enabled: false }))).toEqual({
      ok: "skip",
      nodeId: "webhook-1",
      reason: "disabled",
    });
    expect(parseWebhookNode(node({ ...VALID, enabled: "false" }))).toMatchObject({
      reason: "disabled",
    });
  });

  it("skips a node with a missing or empty url", () => {
    for (const url of [undefined, null, "", "   "]) {
      expect(parseWebhookNode(node({ ...VALID, endpoint_url: url }))).toEqual({
        ok: "skip",
        nodeId: "webhook-1",
        reason: "no_url",
      });
    }
  });

  it("reports a node failing validation with the field name", () => {
    const cases: [unknown, string][] = [
      [node({ ...VALID, http_method: "TRACE" }), "data.http_method"],
      [node({ ...VALID, name: "" }), "data.name"],
      [node({ endpoint_url: "https://x.example" }), "data.name"],
      [node({ ...VALID, enabled: "maybe" }), "data.enabled"],
      [node({ ...VALID, endpoint_url: 5 }), "data.endpoint_url"],
      [node({ ...VALID, credential_uuid: 5 }), "data.credential_uuid"],
      [node({ ...VALID, custom_headers: "X-A: 1" }), "data.custom_headers"],
      [node({ ...VALID, custom_headers: [{ value: "v" }] }), "data.custom_headers[0].key"],
      [
        node({ ...VALID, custom_headers: [{ key: "X", value: {} }] }),
        "data.custom_headers[0].value",
      ],
      [{ ...node(VALID), data: null }, "data must be an object"],
      [{ ...node(VALID), type: "qa" }, "type"],
    ];
    for (const [input, field] of cases) {
      const parsed = parseWebhookNode(input);
      expect(parsed.ok, field).toBe(false);
      if (parsed.ok === false) {
        expect(parsed.error).toContain(field);
        expect(parsed.nodeId).toBe("webhook-1");
      }
    }
  });

  it("validates before skipping, as the reference does", () => {
    expect(parseWebhookNode(node({ ...VALID, enabled: false, http_method: "TRACE" })).ok).toBe(
      false,
    );
  });

  it("reports a node without an id", () => {
    expect(parseWebhookNode({ type: "webhook", data: VALID })).toEqual({
      ok: false,
      nodeId: null,
      error: "id is required",
    });
    expect(parseWebhookNode("garbage")).toMatchObject({ ok: false, nodeId: null });
  });
});
