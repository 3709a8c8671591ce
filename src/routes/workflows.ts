/**
 * /v1/workflows: a workflow with its first definition. As in the reference, a webhook node that
 * fails validation is a config error of that node only: run_integrations logs and skips it while
 * the other nodes go on. So such a node does not refuse the definition; it is reported in the
 * 201's `warnings` (node id and problem) so the author sees at once what a run will skip. Only
 * structural problems answer 422: no `nodes` array, a node without an id, or two webhook nodes
 * with one id (a run keeps one delivery per run and node id, so the second would never be sent).
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
    'A node with a string or number `id`; `type: "webhook"` nodes have data {name, enabled, http_method, endpoint_url, credential_uuid, custom_headers, payload_template}',
});

const Definition = z.looseObject({ nodes: z.array(Node) }).openapi("WorkflowDefinition");

const CreateWorkflowBody = z
  .object({ name: z.string().min(1).max(500), definition: Definition })
  .openapi("CreateWorkflow");

const NodeWarning = z
  .object({
    node_id: z.string().openapi({ description: "The node's id (a number id as text)" }),
    message: z
      .string()
      .openapi({ example: "data.http_method must be one of GET, POST, PUT, PATCH, DELETE" }),
  })
  .openapi("WorkflowNodeWarning");

const CreatedWorkflow = z
  .object({
    id: z.number().int(),
    definition_id: z.number().int(),
    warnings: z.array(NodeWarning).openapi({
      description:
        "Webhook nodes that are invalid (a bad field, or a refused endpoint_url): the definition is stored as given, and each of these nodes is logged as a config error and skipped when a run's integrations run, while the other nodes are delivered. Always present; empty when every webhook node is valid.",
    }),
  })
  .openapi("CreatedWorkflow");

const Workflow = z
  .object({
    id: z.number().int(),
    name: z.string(),
    definition_id: z.number().int().nullable(),
    definition: Definition.nullable(),
  })
  .openapi("Workflow");

export interface NodeWarning {
  node_id: string;
  message: string;
}

/** A node id as run_integrations reads it: a non-empty string, or a finite number as text. */
function nodeIdOf(node: Record<string, unknown>): string | null {
  if (typeof node.id === "string" && node.id !== "") return node.id;
  return typeof node.id === "number" && Number.isFinite(node.id) ? String(node.id) : null;
}

/**
 * Checks a definition's nodes: `errors` are the structural problems that refuse it (a node
 * without an id, a webhook node id used twice), `warnings` the webhook nodes a run will skip
 * as config errors (the same checks run_integrations makes, target policy included).
 */
export function checkDefinitionNodes(
  nodes: Record<string, unknown>[],
  config: Config,
): { errors: FieldError[]; warnings: NodeWarning[] } {
  const errors: FieldError[] = [];
  const warnings: NodeWarning[] = [];
  const webhookIds = new Map<string, number>();
  nodes.forEach((node, index) => {
    const field = `definition.nodes.${index}.id`;
    const nodeId = nodeIdOf(node);
    if (nodeId === null) {
      errors.push({ field, message: "must be a non-empty string or a number" });
      return;
    }
    if (node.type !== "webhook") return;
    const first = webhookIds.get(nodeId);
    if (first !== undefined) {
      errors.push({
        field,
        message: `webhook node id ${JSON.stringify(nodeId)} is also used by definition.nodes.${first}`,
      });
      return;
    }
    webhookIds.set(nodeId, index);
    const parsed = parseWebhookNode(node);
    if (parsed.ok === false) {
      warnings.push({ node_id: nodeId, message: parsed.error });
    } else if (parsed.ok === true) {
      const target = checkTargetUrl(parsed.node.endpoint_url, config.allowPrivateNetworks);
      if (!target.ok) warnings.push({ node_id: nodeId, message: `data.${target.error}` });
    }
  });
  return { errors, warnings };
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
          description: "Created; `warnings` lists the webhook nodes a run will skip",
          content: { "application/json": { schema: CreatedWorkflow } },
        },
        ...problems(400, 401, 413, 415, 422),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const { errors, warnings } = checkDefinitionNodes(body.definition.nodes, getConfig(c.env));
      if (errors.length > 0) {
        const detail =
          errors.length === 1
            ? `${errors[0]?.field} ${errors[0]?.message}`
            : `${errors.length} problems in definition.nodes`;
        throw new AppError(422, "validation_failed", detail, errors);
      }
      // The definition as the client wrote it (the validated copy puts \`nodes\` first).
      const raw = (await c.req.json()) as { definition: unknown };
      const created = await insertWorkflow(dbOf(c), c.get("organizationId"), {
        name: body.name,
        definition: raw.definition,
      });
      return c.json({ ...created, warnings }, 201, { Location: `/v1/workflows/${created.id}` });
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
