import { Health, Readiness, ServiceInfo } from "@p2pnode/types";
import { ApiError, callJson, type RequestOptions } from "./http.js";

/** The routes every service has: /health, /ready, /info. */
export class ServiceClient {
  constructor(
    readonly baseUrl: string,
    protected readonly opts: RequestOptions = {},
  ) {}

  protected url(path: string): string {
    return `${this.baseUrl.replace(/\/$/, "")}${path}`;
  }

  health() {
    return callJson("GET", this.url("/health"), Health, undefined, this.opts);
  }

  /** Readiness; a 503 "not ready" answer is returned, not thrown. */
  async ready(): Promise<Readiness> {
    try {
      return await callJson("GET", this.url("/ready"), Readiness, undefined, this.opts);
    } catch (err) {
      if (err instanceof ApiError && err.status === 503) {
        const parsed = Readiness.safeParse(err.details);
        if (parsed.success) return parsed.data;
      }
      throw err;
    }
  }

  info() {
    return callJson("GET", this.url("/info"), ServiceInfo, undefined, this.opts);
  }
}
