/**
 * /v1/workflow-runs: start a run of one of the organization's workflows (pinning its current
 * definition), read it, and enqueue run_integrations_post_workflow_run for it.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { requireApiKey } from "../auth/middleware";
import { getWorkflowRun, insertWorkflowRun, workflowRunExists } from "../db/queries/workflow-runs";
import { AppError } from "../errors";
import { enqueueJob } from "../queues/enqueue";
import { API_KEY_SECURITY, dbOf, JsonObject, newRouter, problems, serialParam } from "./common";
import { acceptJsonBody } from "./json-body";

const optionalObject = JsonObject.nullable().optional();
const optionalText = z.string().nullable().optional();

const CreateRunBody = z
  .object({
    workflow_id: z.number().int().min(1).max(2_147_483_647),
    name: z.string().max(500).nullable().optional(),
    initial_context: optionalObject,
    gathered_context: optionalObject,
    annotations: optionalObject,
    usage_info: optionalObject,
    extra: optionalObject,
    recording_url: optionalText,
    transcript_url: optionalText,
    user_recording_url: optionalText,
    bot_recording_url: optionalText,
  })
  .openapi("CreateWorkflowRun");

const WorkflowRun = z
  .object({
    id: z.number().int(),
    workflow_id: z.number().int(),
    definition_id: z.number().int().nullable(),
    name: z.string().nullable(),
    initial_context: JsonObject.nullable(),
    gathered_context: JsonObject.nullable(),
    annotations: JsonObject.nullable(),
    usage_info: JsonObject.nullable(),
    extra: JsonObject.nullable(),
    recording_url: z.string().nullable(),
    transcript_url: z.string().nullable(),
    user_recording_url: z.string().nullable(),
    bot_recording_url: z.string().nullable(),
    created_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("WorkflowRun");

const Queued = z
  .object({ workflow_run_id: z.number().int(), status: z.literal("queued") })
  .openapi("IntegrationsQueued");

const IdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) });
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const notFound = () => new AppError(404, "not_found", "Workflow run not found");

export const workflowRunRoutes = newRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/workflow-runs",
      summary: "Start a run of a workflow (pins its current definition)",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey, acceptJsonBody],
      request: {
        body: { required: true, content: { "application/json": { schema: CreateRunBody } } },
      },
      responses: {
        201: json(z.object({ id: z.number().int() }).openapi("CreatedWorkflowRun"), "Created"),
        ...problems(400, 401, 404, 413, 415, 422),
      },
    }),
    async (c) => {
      const { workflow_id, name, ...fields } = c.req.valid("json");
      const run = await insertWorkflowRun(dbOf(c), c.get("organizationId"), workflow_id, {
        name: name ?? null,
        ...fields,
      });
      if (!run) throw new AppError(404, "not_found", "Workflow not found");
      return c.json({ id: run.id }, 201, { Location: `/v1/workflow-runs/${run.id}` });
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/workflow-runs/{id}",
      summary: "A workflow run",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey],
      request: { params: IdParam },
      responses: { 200: json(WorkflowRun, "The run"), ...problems(401, 404) },
    }),
    async (c) => {
      const id = serialParam(c.req.valid("param").id, "Workflow run");
      const run = await getWorkflowRun(dbOf(c), c.get("organizationId"), id);
      if (!run) throw notFound();
      return c.json(run as z.infer<typeof WorkflowRun>, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/workflow-runs/{id}/integrations",
      summary: "Deliver the run's webhook nodes (enqueues run_integrations_post_workflow_run)",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey],
      request: { params: IdParam },
      responses: { 202: json(Queued, "Queued"), ...problems(401, 404) },
    }),
    async (c) => {
      const id = serialParam(c.req.valid("param").id, "Workflow run");
      const organizationId = c.get("organizationId");
      if (!(await workflowRunExists(dbOf(c), organizationId, id))) throw notFound();
      // The organization id makes the task refuse the run if it ever changes hands. Running it
      // twice is harmless: deliveries are get-or-create per (run, node).
      await enqueueJob(c.env.WEBHOOK_TASKS, "run_integrations_post_workflow_run", [
        id,
        organizationId,
      ]);
      return c.json({ workflow_run_id: id, status: "queued" as const }, 202);
    },
  );
