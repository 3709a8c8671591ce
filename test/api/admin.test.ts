import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { waitUntil } from "../helpers/wait";
import { ADMIN_TOKEN, call, expectProblem } from "./client";

describe("GET /v1/admin/queue-rejections", () => {
  it("lists malformed and unknown queue messages newest first", async () => {
    const marker = crypto.randomUUID();
    await env.WEBHOOK_TASKS.send({ task: "no_such_task", args: [marker] }, { contentType: "json" });
    await env.WEBHOOK_TASKS.send({ args: [marker, "no task field"] }, { contentType: "json" });
    const found = await waitUntil(async () => {
      const res = await call("/v1/admin/queue-rejections?limit=100", { token: ADMIN_TOKEN });
      const mine = res.body.data.filter((r: { body: string }) => r.body.includes(marker));
      return mine.length === 2 ? mine : null;
    });
    expect(found.map((r: { reason: string }) => r.reason).sort()).toEqual(
      [
        expect.stringContaining("message field task"),
        expect.stringContaining('unknown task "no_such_task"'),
      ].sort(),
    );
    expect(found[0]).toEqual({
      id: expect.any(Number),
      queue: "webhook-tasks",
      message_id: expect.any(String),
      reason: expect.any(String),
      body: expect.stringContaining(marker),
      attempts: expect.any(Number),
      created_at: expect.any(String),
    });
    expect(found[0].id).toBeGreaterThan(found[1].id);
  });

  it("pages with a cursor", async () => {
    const marker = crypto.randomUUID();
    for (let i = 0; i < 3; i++) {
      await env.WEBHOOK_TASKS.send(
        { task: `unknown_${i}`, args: [marker] },
        { contentType: "json" },
      );
    }
    await waitUntil(async () => {
      const res = await call("/v1/admin/queue-rejections?limit=100", { token: ADMIN_TOKEN });
      return res.body.data.filter((r: { body: string }) => r.body.includes(marker)).length === 3;
    });
    const first = await call("/v1/admin/queue-rejections?limit=1", { token: ADMIN_TOKEN });
    expect(first.body.data).toHaveLength(1);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await call(
      `/v1/admin/queue-rejections?limit=1&cursor=${first.body.next_cursor}`,
      {
        token: ADMIN_TOKEN,
      },
    );
    expect(second.body.data[0].id).toBeLessThan(first.body.data[0].id);
  });

  it("answers 422 for a bad limit or cursor and 401 without the admin token", async () => {
    expectProblem(await call("/v1/admin/queue-rejections?limit=500", { token: ADMIN_TOKEN }), 422);
    expectProblem(await call("/v1/admin/queue-rejections?cursor=zzz", { token: ADMIN_TOKEN }), 422);
    expectProblem(await call("/v1/admin/queue-rejections"), 401);
  });
});
