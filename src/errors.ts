/**
 * One error type for everything the API refuses, with a stable string code, and its
 * rendering as RFC 9457 problem details. Anything else becomes a 500 without internals.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

export interface FieldError {
  /** Dotted path of the offending field, e.g. "custom_headers.0.key". */
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    detail: string,
    readonly errors?: FieldError[],
    options?: { cause?: unknown },
  ) {
    super(detail, options);
    this.name = "AppError";
  }
}

const TITLES: Partial<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
}

/** The problem+json body for an error status. */
export function problem(
  status: number,
  code: string,
  detail: string,
  errors?: FieldError[],
): Problem {
  return {
    type: `https://webhook-delivery.dev/problems/${code}`,
    title: TITLES[status] ?? "Error",
    status,
    detail,
    code,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/** A Response carrying problem+json. */
export function problemResponse(
  status: number,
  code: string,
  detail: string,
  errors?: FieldError[],
  headers?: Record<string, string>,
): Response {
  return new Response(JSON.stringify(problem(status, code, detail, errors)), {
    status,
    headers: { "content-type": "application/problem+json", ...headers },
  });
}
