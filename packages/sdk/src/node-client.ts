import type { ServiceName } from "@p2pnode/types";
import type { RequestOptions } from "./http.js";
import { ServiceClient } from "./service-client.js";

/** Clients for every service of one node, from their base URLs. */
export class NodeClient {
  readonly services: Partial<Record<ServiceName, ServiceClient>> = {};

  constructor(urls: Partial<Record<ServiceName, string>>, opts: RequestOptions = {}) {
    for (const [name, url] of Object.entries(urls) as [ServiceName, string][]) {
      this.services[name] = new ServiceClient(url, opts);
    }
  }

  service(name: ServiceName): ServiceClient {
    const s = this.services[name];
    if (!s) throw new TypeError(`this node runs no ${name} service`);
    return s;
  }
}
