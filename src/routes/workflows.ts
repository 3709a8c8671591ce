/**
 * /v1/workflows: a workflow with its first definition. Every `type == "webhook"` node is
 * validated as run_integrations will read it, so a broken node is refused here (422 naming the
 * node and field) instead of being skipped as a config error after a call.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { requireApiKey } from "../auth/middleware";
import { type Config, getConfig } from "../config";
import { getWorkflow, insertWorkflow } from "../db/queries/workflows";
import { checkTargetUrl } from "../delivery/target-url";
import { parseWebhookNode } from "../delivery/webhook-node";
import { AppError, type FieldError } from "../errors";
import { API_KEY_SECURITY, dbOf, newRouter, problems, serialParam } from "./common";
import { acceptJsonBody } from "./json-body";

const Node = z.looseObject({}).openapi("WorkflowNode", {
  description:
    'A node; `type: "webhook"` nodes have data {name, enabled, http_method, endpoint_url, credential_uuid, custom_headers, payload_template}',
});

const Definition = z.looseObject({ nodes: z.array(Node) }).openapi("WorkflowDefinition");

const CreateWorkflowBody = z
  .object({ name: z.string().min(1).max(500), definition: Definition })
  .openapi("CreateWorkflow");

const CreatedWorkflow = z
  .object({ id: z.number().int(), definition_id: z.number().int() })
  .openapi("CreatedWorkflow");

const Workflow = z
  .object({
    id: z.number().int(),
    name: z.string(),
    definition_id: z.number().int().nullable(),
    definition: Definition.nullable(),
  })
  .openapi("Workflow");

/** "data.custom_headers[0].key must ..." -> "data.custom_headers.0.key". */
function errorPath(error: string): string | null {
  const head = /^(id|data(?:[.[][\w.[\]]*)?)\s/.exec(error)?.[1];
  return head ? head.replace(/\[(\d+)\]/g, ".$1") : null;
}

/** Field errors of the definition's webhook nodes (empty when all are valid). */
export function webhookNodeErrors(nodes: unknown[], config: Config): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  nodes.forEach((node, index) => {
    if (
      typeof node !== "object" ||
      node === null ||
      (node as { type?: unknown }).type !== "webhook"
    ) {
      return;
    }
    const base = `definition.nodes.${index}`;
    const parsed = parseWebhookNode(node);
    const nodeId = parsed.ok === true ? parsed.node.id : parsed.nodeId;
    const label = `webhook node ${nodeId === null ? `#${index}` : JSON.stringify(nodeId)}`;
    if (parsed.ok === false) {
      const path = errorPath(parsed.error);
      errors.push({ field: path ? `${base}.${path}` : base, message: `${label}: ${parsed.error}` });
      return;
    }
    if (nodeId !== null && seen.has(nodeId)) {
      errors.push({ field: `${base}.id`, message: `${label}: id is used by another webhook node` });
    }
    if (nodeId !== null) seen.add(nodeId);
    if (parsed.ok === true) {
      const target = checkTargetUrl(parsed.node.endpoint_url, config.allowPrivateNetworks);
      if (!target.ok) {
        errors.push({ field: `${base}.data.endpoint_url`, message: `${label}: ${target.error}` });
      }
    }
  });
  return errors;
}

export const workflowRoutes = newRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/workflows",
      summary: "Create a workflow with its first definition",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey, acceptJsonBody],
      request: {
        body: { required: true, content: { "application/json": { schema: CreateWorkflowBody } } },
      },
      responses: {
        201: {
          description: "Created",
          content: { "application/json": { schema: CreatedWorkflow } },
        },
        ...problems(400, 401, 413, 415, 422),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const errors = webhookNodeErrors(body.definition.nodes, getConfig(c.env));
      if (errors.length > 0) {
        const detail =
          errors.length === 1
            ? (errors[0]?.message ?? "")
            : `${errors.length} webhook node problems`;
        throw new AppError(422, "validation_failed", detail, errors);
      }
      const created = await insertWorkflow(dbOf(c), c.get("organizationId"), body);
      return c.json(created, 201, { Location: `/v1/workflows/${created.id}` });
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/workflows/{id}",
      summary: "A workflow with its current definition",
      security: API_KEY_SECURITY,
      middleware: [requireApiKey],
      request: {
        params: z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) }),
      },
      responses: {
        200: { description: "The workflow", content: { "application/json": { schema: Workflow } } },
        ...problems(401, 404),
      },
    }),
    async (c) => {
      const id = serialParam(c.req.valid("param").id, "Workflow");
      const workflow = await getWorkflow(dbOf(c), c.get("organizationId"), id);
      if (!workflow) throw new AppError(404, "not_found", "Workflow not found");
      return c.json(workflow as z.infer<typeof Workflow>, 200);
    },
  );
