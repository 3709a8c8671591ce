/** Hono environment shared by every route: the Worker bindings and per-request auth context. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** Set by the API-key middleware: the organization the caller acts for. */
    organizationId: number;
  };
}
