import { Validator } from "@seriousme/openapi-schema-validator";
import schema31 from "@seriousme/openapi-schema-validator/schemas/v3.1/schema.json";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/routes/app";
import { call } from "./client";

/**
 * The validator reads its JSON schemas with node:fs, which workerd's virtual file system does
 * not have; this subclass hands it the same 3.1 schema through a module import instead.
 */
class WorkerdValidator extends Validator {
  // Replaces the package's (undeclared) method that loads the schema from disk.
  getAjvValidator(version: string) {
    if (version !== "3.1") throw new Error(`only OpenAPI 3.1 is wired up here, not ${version}`);
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    ajv.addFormat("media-range", true);
    return ajv.compile(schema31 as object);
  }
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

// biome-ignore lint/suspicious/noExplicitAny: walking an arbitrary JSON document
async function openApiDocument(): Promise<any> {
  const res = await call("/v1/openapi.json");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("application/json");
  return res.body;
}

describe("GET /v1/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const document = await openApiDocument();
    expect(document.openapi).toMatch(/^3\.1\./);
    const result = await new WorkerdValidator().validate(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it("the validator rejects a broken document", async () => {
    const result = await new WorkerdValidator().validate({
      openapi: "3.1.0",
      info: { title: 1 },
      paths: {},
    });
    expect(result.valid).toBe(false);
  });

  it("lists exactly the routes the app serves", async () => {
    const document = await openApiDocument();
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(document.paths as Record<string, object>)) {
      for (const method of Object.keys(item)) {
        if (METHODS.includes(method)) documented.add(`${method.toUpperCase()} ${path}`);
      }
    }
    const served = new Set(
      createApp()
        .routes.filter((route) => route.method !== "ALL")
        .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, "{$1}")}`),
    );
    expect([...documented].sort()).toEqual([...served].sort());
    expect(served.size).toBeGreaterThanOrEqual(20);
  });

  it("marks which routes need the api key and which the admin token", async () => {
    const document = await openApiDocument();
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual([
      "AdminToken",
      "ApiKey",
    ]);
    for (const [path, item] of Object.entries(
      document.paths as Record<string, Record<string, { security?: unknown }>>,
    )) {
      for (const [method, operation] of Object.entries(item)) {
        const expected = path.startsWith("/v1/admin/")
          ? [{ AdminToken: [] }]
          : path === "/healthz" || path === "/v1/openapi.json"
            ? undefined
            : [{ ApiKey: [] }];
        expect(operation.security, `${method} ${path}`).toEqual(expected);
      }
    }
  });

  it("documents problem+json error responses", async () => {
    const document = await openApiDocument();
    const create = document.paths["/v1/deliveries"].post;
    for (const status of ["400", "401", "413", "422"]) {
      expect(Object.keys(create.responses[status].content)).toEqual(["application/problem+json"]);
    }
    expect(document.components.schemas.Problem.required).toEqual([
      "type",
      "title",
      "status",
      "detail",
      "code",
    ]);
  });
});

describe("documented behaviour", () => {
  it("documents the workflow warnings, dropped_headers and database_unavailable", async () => {
    const document = await openApiDocument();
    const schemas = document.components.schemas;
    expect(schemas.CreatedWorkflow.required).toEqual(
      expect.arrayContaining(["id", "definition_id", "warnings"]),
    );
    expect(schemas.CreatedWorkflow.properties.warnings.items).toEqual({
      $ref: "#/components/schemas/WorkflowNodeWarning",
    });
    expect(schemas.WorkflowNodeWarning.required.sort()).toEqual(["message", "node_id"]);
    // zod's .extend() may be rendered as allOf [Delivery, {dropped_headers}].
    expect(JSON.stringify(schemas.CreatedDelivery)).toContain(
      "describes this request, not the stored delivery",
    );
    const createDelivery = document.paths["/v1/deliveries"].post.responses;
    expect(createDelivery["503"].description).toContain("database_unavailable");
    expect(document.paths["/v1/workflows"].post.responses["201"].description).toContain("warnings");
  });
});
