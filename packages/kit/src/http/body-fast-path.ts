import { validatorCompiler } from "fastify-type-provider-zod";

type ZodRouteSchema = Parameters<typeof validatorCompiler>[0];
/** A route part's schema as fastify hands it to a validator compiler, for any schema type. */
type RouteSchemaOf<S> = Omit<ZodRouteSchema, "schema"> & { schema: S };

/**
 * A route body read by `read` when it takes it, and by the route's zod schema otherwise: for a
 * hot route whose common body has a one-pass reader (POST /txs and a transfer), so that body is
 * not parsed twice (the schema's parse copies it, then the handler converts it again).
 *
 * `read` must take nothing the schema refuses; what it does not take gets the schema's validation
 * and its 400 exactly as before. The schema stays on the route, for /docs and those refusals.
 * Use: `validatorCompiler` in the route's options, and `taken(req.body)` in its handler for what
 * `read` made of the body (undefined when the schema read it).
 */
export function bodyFastPath<T>(read: (body: unknown) => T | undefined): {
  /** Generic in the schema type: a route's option is typed by its whole schema object, but fastify
   * calls it with one part's schema (here zod), as it calls the app's compiler. */
  validatorCompiler: <S>(route: RouteSchemaOf<S>) => ReturnType<typeof validatorCompiler>;
  taken(body: unknown): T | undefined;
} {
  // Keyed by the parsed body object, which fastify hands unchanged to the handler as req.body.
  const readBodies = new WeakMap<object, T>();
  return {
    validatorCompiler: (route) => {
      const bySchema = validatorCompiler(route as unknown as ZodRouteSchema);
      if (route.httpPart !== "body") return bySchema;
      return (data: unknown) => {
        const value = typeof data === "object" && data !== null ? read(data) : undefined;
        if (value === undefined) return bySchema(data);
        readBodies.set(data as object, value);
        return { value: data };
      };
    },
    taken: (body) => (typeof body === "object" && body !== null ? readBodies.get(body) : undefined),
  };
}
