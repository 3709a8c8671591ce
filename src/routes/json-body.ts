/**
 * Lenient JSON bodies: a body that parses as JSON is accepted whatever its Content-Type says
 * (`curl -d` sends application/x-www-form-urlencoded, Python's `data=` sends none), by
 * re-labelling it application/json before validation. A body that is not JSON answers 400 when
 * it was declared JSON or undeclared, and 415 when it was declared as another media type.
 */
import { createMiddleware } from "hono/factory";
import { AppError } from "../errors";
import type { AppEnv } from "./types";

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

function mediaType(contentType: string): string {
  return contentType.split(";")[0]?.trim().toLowerCase() ?? "";
}

/** Route middleware for JSON request bodies (runs before the validators). */
export const acceptJsonBody = createMiddleware<AppEnv>(async (c, next) => {
  const raw = c.req.raw;
  const contentType = raw.headers.get("content-type");
  if (raw.body === null || (contentType && JSON_MEDIA_TYPE.test(mediaType(contentType)))) {
    return next();
  }
  // Decoded by hand: Request.text() warns on bodies labelled as something other than text.
  const text = new TextDecoder().decode(await raw.arrayBuffer());
  const headers = new Headers(raw.headers);
  headers.delete("content-type");
  if (text.trim() === "") {
    // No body at all: the validator then reports the missing fields (422).
    c.req.raw = new Request(raw.url, { method: raw.method, headers });
    return next();
  }
  try {
    JSON.parse(text);
  } catch {
    if (contentType) {
      throw new AppError(
        415,
        "unsupported_media_type",
        `Request bodies are JSON: send Content-Type: application/json (got ${mediaType(contentType)})`,
      );
    }
    throw new AppError(400, "malformed_json", "Request body is not valid JSON");
  }
  headers.set("content-type", "application/json");
  c.req.raw = new Request(raw.url, { method: raw.method, headers, body: text });
  return next();
});
