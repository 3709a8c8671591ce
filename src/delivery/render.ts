/**
 * Payload rendering, as the reference does it once at enqueue time so retries resend
 * exactly the same bytes: `{{ path | fallback }}` placeholders in every string of the
 * template (keys and values, recursively), then `call_disposition` filled in if absent.
 */
import { pythonIsoformatUtc, pythonJsonDumps, pythonStr, pythonTitle } from "./py-format";
import { defaultZoneOf, resolveBuiltin } from "./template-builtins";

export type RenderContext = Record<string, unknown>;

export interface RunForRender {
  id: number;
  name: string | null;
  campaign_id: number | null;
  created_at: string | Date | null;
  initial_context: unknown;
  gathered_context: unknown;
  usage_info: unknown;
  annotations: unknown;
  extra?: unknown;
  recording_url: string | null;
  transcript_url: string | null;
  user_recording_url?: string | null;
  bot_recording_url?: string | null;
}

/** The reference's placeholder pattern, verbatim. */
const PLACEHOLDER = /\{\{\s*([^|\s}]+)(?:\s*\|\s*([^:}]+)(?::([^}]+))?)?\s*\}\}/g;
const INITIAL_CONTEXT_PREFIX = "initial_context.";

/** Python truthiness, because the reference writes `value or {}`. */
function isPythonFalsy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === "") {
    return true;
  }
  if (Array.isArray(value)) return value.length === 0;
  return isPlainObject(value) && Object.keys(value).length === 0;
}

function orEmptyObject(value: unknown): unknown {
  return isPythonFalsy(value) ? {} : value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The render context of a run, with the reference's keys. `now` stamps `call_time` only
 * when the run has no `created_at` (the reference used the current time there).
 */
export function buildRenderContext(
  run: RunForRender,
  workflow: { id: number; name: string },
  now?: Date,
): RenderContext {
  const createdAt = run.created_at ?? now ?? null;
  return {
    workflow_run_id: run.id,
    workflow_run_name: run.name,
    workflow_id: workflow.id,
    workflow_name: workflow.name,
    campaign_id: run.campaign_id,
    call_time: createdAt === null ? null : pythonIsoformatUtc(createdAt),
    initial_context: orEmptyObject(run.initial_context),
    gathered_context: orEmptyObject(run.gathered_context),
    cost_info: orEmptyObject(run.usage_info),
    annotations: orEmptyObject(run.annotations),
    extra: orEmptyObject(run.extra),
    recording_url: run.recording_url,
    transcript_url: run.transcript_url,
    user_recording_url: run.user_recording_url ?? null,
    bot_recording_url: run.bot_recording_url ?? null,
  };
}

/** Walks a dotted path through objects (and, beyond the reference, array indices). */
function lookup(root: unknown, path: string): unknown {
  let current = root;
  for (const key of path.split(".")) {
    if (Array.isArray(current) && /^\d+$/.test(key)) {
      current = current[Number(key)];
    } else if (isPlainObject(current) && Object.hasOwn(current, key)) {
      current = current[key];
    } else {
      return undefined;
    }
    if (current === null || current === undefined) return undefined;
  }
  return current;
}

function resolveValue(path: string, context: RenderContext): unknown {
  const value = lookup(context, path);
  if (value !== undefined || !path.startsWith(INITIAL_CONTEXT_PREFIX)) return value;
  // The reference also accepts initial_context keys at the top level of the context.
  return lookup(context, path.slice(INITIAL_CONTEXT_PREFIX.length));
}

function renderPlaceholder(
  groups: { path: string; filter?: string; filterArg?: string },
  context: RenderContext,
  now: Date,
  defaultZone: string | null,
): string {
  const path = groups.path.trim();
  const builtin = resolveBuiltin(path, now, defaultZone);
  let value: unknown = builtin ?? resolveValue(path, context);
  const filter = groups.filter?.trim();
  if (filter !== undefined && (value === undefined || value === "")) {
    // `{{x | default}}`, or the legacy `{{x | fallback:default}}` (bare `fallback`: Title-cased path).
    value = filter === "fallback" ? (groups.filterArg?.trim() ?? pythonTitle(path)) : filter;
  }
  if (value === undefined || value === null) return "";
  if (typeof value === "object" && !(value instanceof Date)) return pythonJsonDumps(value);
  return pythonStr(value);
}

/** Renders the placeholders of one string, then turns literal `\n` into newlines. */
function renderString(template: string, context: RenderContext, now: Date): string {
  if (template === "") return template;
  const defaultZone = defaultZoneOf(template);
  const rendered = template.replace(
    PLACEHOLDER,
    (_match, path: string, filter: string | undefined, filterArg: string | undefined) =>
      renderPlaceholder({ path, filter, filterArg }, context, now, defaultZone),
  );
  return rendered.replaceAll("\\n", "\n");
}

/** Renders every string (object keys and values, recursively) of a JSON template. */
export function renderTemplate(template: unknown, context: RenderContext, now: Date): unknown {
  if (typeof template === "string") return renderString(template, context, now);
  if (Array.isArray(template)) return template.map((item) => renderTemplate(item, context, now));
  if (isPlainObject(template)) {
    // fromEntries defines own properties, so a "__proto__" key stays an ordinary key.
    return Object.fromEntries(
      Object.entries(template).map(([key, value]) => [
        renderString(key, context, now),
        renderTemplate(value, context, now),
      ]),
    );
  }
  return template;
}

/**
 * Renders a webhook node's payload and, when it is an object without `call_disposition`,
 * adds the run's `gathered_context.call_disposition` (or "") as the reference does.
 */
export function renderWebhookPayload(
  template: unknown,
  context: RenderContext,
  now: Date,
): unknown {
  const payload = renderTemplate(orEmptyObject(template), context, now);
  if (isPlainObject(payload) && !Object.hasOwn(payload, "call_disposition")) {
    const gathered = orEmptyObject(context.gathered_context);
    payload.call_disposition =
      isPlainObject(gathered) && Object.hasOwn(gathered, "call_disposition")
        ? gathered.call_disposition
        : "";
  }
  return payload;
}
