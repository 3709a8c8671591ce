import { describe, expect, it } from "vitest";
import {
  buildRenderContext,
  type RenderContext,
  type RunForRender,
  renderTemplate,
  renderWebhookPayload,
} from "../../src/delivery/render";

// A Thursday in UTC; already Friday in Pacific/Kiritimati (UTC+14).
const NOW = new Date("2026-07-02T16:14:14.123Z");

function run(overrides: Partial<RunForRender> = {}): RunForRender {
  return {
    id: 42,
    name: "call-42",
    campaign_id: 7,
    created_at: "2026-07-02 16:10:00.654321+00",
    initial_context: { phone_number: "+15550100", customer: { first_name: "Ada" } },
    gathered_context: { call_disposition: "interested", slots: ["mon", "tue"] },
    usage_info: { call_duration_seconds: 93 },
    annotations: null,
    extra: null,
    recording_url: "https://files.example.com/rec/42.wav",
    transcript_url: "https://files.example.com/tr/42.txt",
    ...overrides,
  };
}

const context: RenderContext = buildRenderContext(run(), { id: 3, name: "Sales" });

describe("buildRenderContext", () => {
  it("produces exactly the reference's keys", () => {
    expect(Object.keys(context).sort()).toEqual(
      [
        "annotations",
        "bot_recording_url",
        "call_time",
        "campaign_id",
        "cost_info",
        "extra",
        "gathered_context",
        "initial_context",
        "recording_url",
        "transcript_url",
        "user_recording_url",
        "workflow_id",
        "workflow_name",
        "workflow_run_id",
        "workflow_run_name",
      ].sort(),
    );
    expect(context).toMatchObject({
      workflow_run_id: 42,
      workflow_run_name: "call-42",
      workflow_id: 3,
      workflow_name: "Sales",
      campaign_id: 7,
      cost_info: { call_duration_seconds: 93 },
      user_recording_url: null,
      bot_recording_url: null,
    });
  });

  it("turns null json columns into empty objects", () => {
    const empty = buildRenderContext(
      run({ initial_context: null, gathered_context: null, usage_info: null }),
      { id: 1, name: "w" },
    );
    expect(empty.initial_context).toEqual({});
    expect(empty.gathered_context).toEqual({});
    expect(empty.cost_info).toEqual({});
    expect(empty.annotations).toEqual({});
    expect(empty.extra).toEqual({});
  });

  it("stamps call_time as python isoformat, keeping postgres microseconds", () => {
    expect(context.call_time).toBe("2026-07-02T16:10:00.654321+00:00");
    const fromDate = buildRenderContext(run({ created_at: new Date("2026-07-02T10:00:00.5Z") }), {
      id: 1,
      name: "w",
    });
    expect(fromDate.call_time).toBe("2026-07-02T10:00:00.500000+00:00");
    const offset = buildRenderContext(run({ created_at: "2026-07-02T21:40:00+05:30" }), {
      id: 1,
      name: "w",
    });
    expect(offset.call_time).toBe("2026-07-02T16:10:00+00:00");
  });

  it("uses now for call_time when the run has no created_at", () => {
    const noDate = buildRenderContext(run({ created_at: null }), { id: 1, name: "w" }, NOW);
    expect(noDate.call_time).toBe("2026-07-02T16:14:14.123000+00:00");
  });

  it("passes the per-speaker recording urls through", () => {
    const both = buildRenderContext(
      run({ user_recording_url: "u.wav", bot_recording_url: "b.wav" }),
      { id: 1, name: "w" },
    );
    expect([both.user_recording_url, both.bot_recording_url]).toEqual(["u.wav", "b.wav"]);
  });
});

describe("renderWebhookPayload", () => {
  it("injects call_disposition from the gathered context when the template leaves it out", () => {
    expect(renderWebhookPayload({ id: "{{workflow_run_id}}" }, context, NOW)).toEqual({
      id: "42",
      call_disposition: "interested",
    });
  });

  it("keeps the template's own call_disposition", () => {
    const payload = renderWebhookPayload({ call_disposition: "{{campaign_id}}" }, context, NOW);
    expect(payload).toEqual({ call_disposition: "7" });
  });

  it("renders the requested urls", () => {
    const payload = renderWebhookPayload(
      { recording: "{{recording_url}}", transcript: "{{ transcript_url }}" },
      context,
      NOW,
    );
    expect(payload).toMatchObject({
      recording: "https://files.example.com/rec/42.wav",
      transcript: "https://files.example.com/tr/42.txt",
    });
  });

  it("falls back to empty strings with no context", () => {
    const payload = renderWebhookPayload(
      { name: "{{initial_context.customer.first_name}}", rec: "{{recording_url}}" },
      {},
      NOW,
    );
    expect(payload).toEqual({ name: "", rec: "", call_disposition: "" });
  });

  it("renders an empty template as an object carrying call_disposition", () => {
    expect(renderWebhookPayload(null, context, NOW)).toEqual({ call_disposition: "interested" });
  });

  it("does not add call_disposition to a non-object payload", () => {
    expect(renderWebhookPayload(["{{workflow_run_id}}"], context, NOW)).toEqual(["42"]);
  });
});

describe("renderTemplate", () => {
  const render = (template: unknown, ctx: RenderContext = context) =>
    renderTemplate(template, ctx, NOW);

  it("walks dotted paths through objects and array indices", () => {
    expect(render("Hi {{initial_context.customer.first_name}}")).toBe("Hi Ada");
    expect(render("{{gathered_context.slots.1}}")).toBe("tue");
  });

  it("renders missing values and properties of the prototype as empty", () => {
    expect(render("[{{nope.deeper}}][{{initial_context.constructor}}]")).toBe("[][]");
  });

  it("renders objects and arrays as python json text", () => {
    expect(render("{{gathered_context}}")).toBe(
      '{"call_disposition": "interested", "slots": ["mon", "tue"]}',
    );
    expect(render("{{x}}", { x: { name: "José", n: null, ok: true } })).toBe(
      '{"name": "Jos\\u00e9", "n": null, "ok": true}',
    );
  });

  it("renders numbers and booleans as python's str does", () => {
    const ctx = { i: 93, f: 0.5, tiny: 0.00001, yes: true, no: false };
    expect(render("{{i}} {{f}} {{tiny}} {{yes}} {{no}}", ctx)).toBe("93 0.5 1e-05 True False");
  });

  it("gives the fallback when the value is missing or empty", () => {
    const ctx = { empty: "", zero: 0 };
    expect(render("{{missing | Friend}}", ctx)).toBe("Friend");
    expect(render("{{empty|  spaced default  }}", ctx)).toBe("spaced default");
    expect(render("{{zero | none}}", ctx)).toBe("0");
    expect(render("{{initial_context.customer.first_name | Friend}}")).toBe("Ada");
  });

  it("supports the legacy fallback:default syntax", () => {
    expect(render("{{missing | fallback:Sir or Madam}}")).toBe("Sir or Madam");
    expect(render("{{customer_name | fallback}}")).toBe("Customer_Name");
  });

  it("renders object keys and nested values, leaving non-strings alone", () => {
    const template = {
      "{{workflow_name}}_id": "{{workflow_run_id}}",
      nested: [{ n: 1, b: false, z: null, s: "{{campaign_id}}" }],
    };
    expect(render(template)).toEqual({
      Sales_id: "42",
      nested: [{ n: 1, b: false, z: null, s: "7" }],
    });
    expect(render(5)).toBe(5);
    expect(render(null)).toBe(null);
  });

  it("keeps a __proto__ key as an ordinary key", () => {
    const rendered = render(JSON.parse('{"__proto__": "{{campaign_id}}"}')) as object;
    expect(Object.getPrototypeOf(rendered)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(rendered, "__proto__")?.value).toBe("7");
  });

  it("renders the time built-ins for a fixed now", () => {
    expect(render("{{current_time}}")).toBe("2026-07-02T16:14:14.123Z");
    expect(render("{{current_time_Asia/Kolkata}}")).toBe("2026-07-02T21:44:14.123+05:30");
    expect(render("{{ current_time_America/New_York }}")).toBe("2026-07-02T12:14:14.123-04:00");
    expect(render("{{current_weekday}}")).toBe("Thursday");
    expect(render("{{current_weekday_Pacific/Kiritimati}}")).toBe("Friday");
  });

  it("renders bare built-ins in the zone another built-in of the same string names", () => {
    expect(render("{{current_weekday}} {{current_time_Pacific/Kiritimati}}")).toBe(
      "Friday 2026-07-03T06:14:14.123+14:00",
    );
  });

  it("renders an unknown time zone as empty, or its fallback, without throwing", () => {
    expect(render("[{{current_time_Mars/Olympus}}]")).toBe("[]");
    expect(render("{{current_weekday_+05:30 | someday}}")).toBe("someday");
    expect(render("{{current_weekday}} {{current_time_Nowhere/Land}}")).toBe("Thursday ");
  });

  it("turns the literal characters backslash-n into newlines", () => {
    expect(render("line one\\nline two {{workflow_run_id}}")).toBe("line one\nline two 42");
  });

  it("reads initial_context keys from the top level when the context is flat", () => {
    expect(render("{{initial_context.first_name}}", { first_name: "Bo" })).toBe("Bo");
  });

  it("leaves text that is not a placeholder untouched", () => {
    expect(render("{ single } {{ }} {{a b}}")).toBe("{ single } {{ }} {{a b}}");
  });
});
