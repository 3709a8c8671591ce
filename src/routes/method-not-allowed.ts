/**
 * 405 instead of 404 for a known path with another method (RFC 9110 §15.5.6): the methods a
 * path allows are derived from the app's own route table, so they can never drift from it.
 */

interface RouteEntry {
  method: string;
  path: string;
}

/** A Hono route path ("/v1/deliveries/:id") as an anchored regular expression. */
function pathPattern(path: string): RegExp {
  const source = path
    .split("/")
    .map((segment) => {
      if (segment === "*") return ".*";
      if (segment.startsWith(":")) return "[^/]+";
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return new RegExp(`^${source}$`);
}

/** Builds a lookup from a path to the methods its routes answer (empty: unknown path). */
export function allowedMethodsLookup(routes: readonly RouteEntry[]): (path: string) => string[] {
  const compiled = routes
    .filter((route) => route.method !== "ALL")
    .map((route) => ({ method: route.method.toUpperCase(), pattern: pathPattern(route.path) }));
  return (path) => {
    const methods = new Set(compiled.filter((r) => r.pattern.test(path)).map((r) => r.method));
    // Hono answers HEAD with the GET handler.
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods].sort();
  };
}
