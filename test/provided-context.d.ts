// Values test/node/global-setup.ts provides to every test (vitest's inject()).
declare module "vitest" {
  export interface ProvidedContext {
    sqlEndpoint: string;
    databaseUrl: string;
    receiverHub: string;
    backend: "pglite" | "postgres";
  }
}

export {};
