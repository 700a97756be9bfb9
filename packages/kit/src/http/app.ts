import { ErrorBody, Health, Readiness } from "@p2pnode/types";
import Fastify, { type FastifyInstance, LogController } from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { collectDefaultMetrics, Histogram, Registry } from "prom-client";
import type { Logger } from "../log/index.js";
import { serveDocsLazily } from "./docs.js";
import { errorHandler } from "./errors.js";

export type App = FastifyInstance<
  import("node:http").Server,
  import("node:http").IncomingMessage,
  import("node:http").ServerResponse,
  Logger,
  ZodTypeProvider
>;

export type ReadinessCheck = () =>
  | { ok: boolean; detail?: string }
  | Promise<{ ok: boolean; detail?: string }>;

export interface AppOptions {
  service: string;
  version: string;
  log: Logger;
  /** Largest request body accepted by default; routes may lower or raise it. */
  bodyLimitBytes?: number;
  /** Named checks that make up /ready. */
  readiness?: Record<string, ReadinessCheck>;
}

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
/** How often the event-loop lag histogram samples (nodejs_eventloop_lag_* metrics). */
export const EVENT_LOOP_SAMPLE_MS = 100;

/**
 * The fastify app every service serves: zod schemas as the source of request/response types,
 * OpenAPI at /docs/json and Swagger UI at /docs (built on first request, docs.ts), /health, /ready,
 * /metrics, one error handler.
 */
export async function createApp(opts: AppOptions): Promise<{ app: App; metrics: Registry }> {
  const app = Fastify({
    loggerInstance: opts.log,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler(opts.log));
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: { code: "NOT_FOUND", message: `no route ${req.method} ${req.url}` } }),
  );

  serveDocsLazily(app, { title: `p2pnode ${opts.service}`, version: opts.version });

  const metrics = new Registry();
  metrics.setDefaultLabels({ service: opts.service });
  // Event-loop lag sampled every 100 ms, not prom-client's 10 ms: 100 wakeups a second cost an
  // idle service ~9 ms of CPU a second, and a node runs seven such processes. A stall longer than
  // 100 ms still shows whole in the max and the quantiles.
  collectDefaultMetrics({ register: metrics, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  const httpSeconds = new Histogram({
    name: "http_request_duration_seconds",
    help: "REST request latency by route and status",
    labelNames: ["method", "route", "status"],
    registers: [metrics],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
  });
  app.addHook("onResponse", async (req, reply) => {
    httpSeconds.observe(
      { method: req.method, route: req.routeOptions.url ?? "unknown", status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  const checks = opts.readiness ?? {};
  app.get("/health", { schema: { tags: ["ops"], response: { 200: Health } } }, async () => ({
    status: "ok" as const,
  }));
  app.get(
    "/ready",
    { schema: { tags: ["ops"], response: { 200: Readiness, 503: Readiness } } },
    async (_req, reply) => {
      const results: Readiness["checks"] = {};
      for (const [name, check] of Object.entries(checks)) {
        try {
          results[name] = await check();
        } catch (err) {
          results[name] = { ok: false, detail: (err as Error).message };
        }
      }
      const ready = Object.values(results).every((r) => r.ok);
      return reply.status(ready ? 200 : 503).send({ ready, checks: results });
    },
  );
  app.get("/metrics", { schema: { tags: ["ops"], hide: true } }, async (_req, reply) => {
    reply.header("content-type", metrics.contentType);
    return metrics.metrics();
  });
  return { app, metrics };
}

export { ErrorBody };
