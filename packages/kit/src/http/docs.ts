import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods, RouteOptions } from "fastify";
import type { App } from "./app.js";

export const DOCS_PREFIX = "/docs";

/** A route as the OpenAPI document needs it: no handler, no hooks. */
interface DocumentedRoute {
  method: HTTPMethods | HTTPMethods[];
  url: string;
  schema: RouteOptions["schema"];
}

/**
 * OpenAPI at /docs/json and Swagger UI at /docs, built on their first request. Registering
 * @fastify/swagger and its UI took ~150 ms of CPU in every service's start-up (six per node, all
 * starting at once after a restart) for pages an operator opens now and then. Every route is
 * recorded as it is added and declared again, schema only, in a separate app that holds the two
 * plugins; /docs requests are passed to it.
 */
export function serveDocsLazily(app: App, info: { title: string; version: string }): void {
  const routes: DocumentedRoute[] = [];
  app.addHook("onRoute", (r) => {
    // HEAD twins of GET routes are added again by the docs app itself.
    if (r.url.startsWith(DOCS_PREFIX) || r.method === "HEAD") return;
    routes.push({ method: r.method, url: r.url, schema: r.schema });
  });
  let docs: Promise<FastifyInstance> | undefined;
  const forward = async (req: FastifyRequest, reply: FastifyReply) => {
    docs ??= buildDocsApp(routes, info).catch((err: unknown) => {
      docs = undefined; // a later request tries again
      throw err;
    });
    const res = await (await docs).inject({ method: "GET", url: req.url, headers: req.headers });
    for (const h of [
      "content-type",
      "content-encoding",
      "location",
      "cache-control",
      "etag",
      "last-modified",
    ]) {
      const v = res.headers[h];
      if (v !== undefined) reply.header(h, v);
    }
    return reply.status(res.statusCode).send(res.rawPayload);
  };
  app.get(DOCS_PREFIX, { schema: { hide: true } }, forward);
  app.get(`${DOCS_PREFIX}/*`, { schema: { hide: true } }, forward);
}

async function buildDocsApp(routes: readonly DocumentedRoute[], info: { title: string; version: string }) {
  const [{ default: Fastify }, { default: swagger }, { default: swaggerUi }, { jsonSchemaTransform }] =
    await Promise.all([
      import("fastify"),
      import("@fastify/swagger"),
      import("@fastify/swagger-ui"),
      import("fastify-type-provider-zod"),
    ]);
  const docs = Fastify();
  // Schemas are only read for the document here: nothing is validated or serialized with them.
  docs.setValidatorCompiler(() => () => true);
  docs.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await docs.register(swagger, {
    openapi: { info },
    transform: (route) => documentBinaryBody(jsonSchemaTransform(route)),
  });
  await docs.register(swaggerUi, { routePrefix: DOCS_PREFIX });
  for (const r of routes) docs.route({ ...r, handler: async () => undefined });
  await docs.ready();
  return docs;
}

/**
 * A route that takes raw bytes (`consumes: ["application/octet-stream"]`, as POST /txs/raw) has
 * no zod body: a schema would be run on the bytes by the app's validator. Its body is documented
 * here instead, as binary, so the OpenAPI document shows what to send.
 */
function documentBinaryBody<T extends { schema: unknown }>(route: T): T {
  const schema = route.schema as { consumes?: readonly string[]; body?: unknown } | undefined;
  if (schema?.consumes?.includes("application/octet-stream") && schema.body === undefined)
    schema.body = { type: "string", format: "binary" };
  return route;
}
