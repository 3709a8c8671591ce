import { describe, expect, it } from "vitest";
import {
  buildDeliveryRequest,
  type DeliveryRequestInput,
  USER_AGENT,
} from "../../src/delivery/request";
import { verifyWebhook } from "../../src/delivery/signing";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NOW = new Date("2026-07-02T16:14:14.900Z");
const UUID = "6f1c2a4e-2b7d-4c39-9a57-0d8e3c1b5f21";

function input(overrides: Partial<DeliveryRequestInput> = {}): DeliveryRequestInput {
  return {
    deliveryUuid: UUID,
    workflowRunId: 42,
    attempt: 2,
    endpointUrl: "https://crm.example.com/calls",
    httpMethod: "POST",
    payload: { call_id: "42", call_disposition: "interested" },
    customHeaders: [{ key: "X-Source", value: "dograh" }],
    credentialHeaders: { Authorization: "Bearer abc" },
    signingSecrets: [],
    now: NOW,
    ...overrides,
  };
}

describe("buildDeliveryRequest", () => {
  it("orders headers as the reference: content-type, user-agent, credential, custom, then dograh ids", async () => {
    const request = await buildDeliveryRequest(input());
    expect(Object.entries(request.headers)).toEqual([
      ["Content-Type", "application/json"],
      ["User-Agent", USER_AGENT],
      ["Authorization", "Bearer abc"],
      ["X-Source", "dograh"],
      ["X-Dograh-Delivery-Id", UUID],
      ["X-Dograh-Workflow-Run-Id", "42"],
      ["X-Dograh-Delivery-Attempt", "2"],
      ["webhook-id", UUID],
      ["webhook-timestamp", "1783008854"],
    ]);
    expect(request).toMatchObject({ url: "https://crm.example.com/calls", method: "POST" });
  });

  it("sends the payload as json for post, put and patch", async () => {
    for (const method of ["POST", "put", "Patch"]) {
      const request = await buildDeliveryRequest(input({ httpMethod: method }));
      expect(request.method).toBe(method.toUpperCase());
      expect(request.body).toBe('{"call_id":"42","call_disposition":"interested"}');
    }
  });

  it("sends no body for get and delete", async () => {
    for (const method of ["GET", "DELETE"]) {
      const request = await buildDeliveryRequest(input({ httpMethod: method }));
      expect(request.body).toBeUndefined();
      expect(request.headers["Content-Type"]).toBe("application/json");
    }
  });

  it("omits the workflow run header for deliveries without a run", async () => {
    const request = await buildDeliveryRequest(input({ workflowRunId: null }));
    expect(request.headers).not.toHaveProperty("X-Dograh-Workflow-Run-Id");
  });

  it("keeps webhook-id stable across attempts", async () => {
    const first = await buildDeliveryRequest(input({ attempt: 1 }));
    const later = await buildDeliveryRequest(
      input({ attempt: 3, now: new Date(NOW.getTime() + 60_000) }),
    );
    expect(later.headers["webhook-id"]).toBe(first.headers["webhook-id"]);
    expect(later.headers["X-Dograh-Delivery-Id"]).toBe(UUID);
    expect(later.headers["X-Dograh-Delivery-Attempt"]).toBe("3");
    expect(later.headers["webhook-timestamp"]).toBe("1783008914");
  });

  it("never lets stored or credential headers override the dograh and webhook headers", async () => {
    const request = await buildDeliveryRequest(
      input({
        customHeaders: [
          { key: "x-dograh-delivery-id", value: "forged" },
          { key: "Webhook-Signature", value: "v1,forged" },
          { key: "webhook-id", value: "forged" },
        ],
        credentialHeaders: { "X-Dograh-Delivery-Attempt": "99" },
        signingSecrets: [SECRET],
      }),
    );
    const values = Object.entries(request.headers).map(([k, v]) => `${k.toLowerCase()}=${v}`);
    expect(values.filter((v) => v.includes("forged") || v.endsWith("=99"))).toEqual([]);
    expect(Object.keys(request.headers).filter((k) => k.toLowerCase() === "webhook-id")).toEqual([
      "webhook-id",
    ]);
  });

  it("lets a stored header replace an earlier one case-insensitively", async () => {
    const request = await buildDeliveryRequest(
      input({ customHeaders: [{ key: "content-type", value: "application/vnd.api+json" }] }),
    );
    expect(request.headers).not.toHaveProperty("Content-Type");
    expect(request.headers["content-type"]).toBe("application/vnd.api+json");
  });

  it("signs exactly the body sent with every secret", async () => {
    const request = await buildDeliveryRequest(input({ signingSecrets: [SECRET] }));
    const signature = request.headers["webhook-signature"] ?? "";
    expect(signature).toMatch(/^v1,/);
    const ok = await verifyWebhook(SECRET, UUID, 1783008854, request.body ?? "", signature);
    expect(ok).toBe(true);
  });

  it("signs the empty string for a bodiless request", async () => {
    const request = await buildDeliveryRequest(
      input({ httpMethod: "GET", signingSecrets: [SECRET] }),
    );
    const signature = request.headers["webhook-signature"] ?? "";
    expect(await verifyWebhook(SECRET, UUID, 1783008854, "", signature)).toBe(true);
  });

  it("omits webhook-signature without signing secrets", async () => {
    const request = await buildDeliveryRequest(input());
    expect(request.headers).not.toHaveProperty("webhook-signature");
  });
});
