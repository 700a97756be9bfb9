import { isRecord, parseYaml, readRepoFile } from "./repo.js";

type Rec = Record<string, unknown>;
export const rec = (v: unknown): Rec => (isRecord(v) ? v : {});

/** Compose's variable substitution with an empty environment: `${X:-d}` and `${X-d}` give d. */
export function interpolate(s: string, env: Record<string, string> = {}): string {
  return s.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (m, name, op, def, bare) => {
      if (m === "$$") return "$";
      const key = (name ?? bare) as string;
      const v = env[key];
      if (op === ":-") return v === undefined || v === "" ? def : v;
      if (op === "-") return v === undefined ? def : v;
      return v ?? "";
    },
  );
}

/** docker-compose.yml as parsed (merge keys resolved), and its services. */
export const compose = rec(parseYaml(readRepoFile("docker-compose.yml")));
export const services = rec(compose.services);

export function environment(svc: Rec): Record<string, string> {
  const e = svc.environment;
  if (Array.isArray(e)) {
    return Object.fromEntries(
      e.map((kv) => {
        const s = String(kv);
        const i = s.indexOf("=");
        return i < 0 ? [s, ""] : [s.slice(0, i), interpolate(s.slice(i + 1))];
      }),
    );
  }
  return Object.fromEntries(Object.entries(rec(e)).map(([k, v]) => [k, interpolate(String(v))]));
}

export interface PortEntry {
  container: string;
  /** The host side as written: undefined (ephemeral), a port, or a range. */
  host: string | undefined;
}

export function parsePort(p: unknown): PortEntry {
  if (isRecord(p)) {
    const proto = String(p.protocol ?? "tcp");
    return {
      container: `${p.target}/${proto}`,
      host: p.published === undefined ? undefined : String(p.published),
    };
  }
  const s = interpolate(String(p));
  const [spec, proto = "tcp"] = s.split("/");
  const parts = spec!.split(":");
  const host = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  return { container: `${parts[parts.length - 1]}/${proto}`, host: host === "" ? undefined : host };
}
