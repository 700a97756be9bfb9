import { NodeEnv } from "@p2pnode/kit";
import { LISTENERS } from "@p2pnode/types";
import { describe, expect, it } from "vitest";
import { readRepoFile, SUPERVISOR_ONLY_ENV } from "./lib/repo.js";

/** Variables of docker-compose.yml itself (host side), not of the node. */
const COMPOSE_FILE_ONLY = ["P2PNODE_PUBLISH_IP"];

const readme = readRepoFile("infra", "README.md");
const lines = readme.split("\n");
// Cells may be padded: the formatter aligns Markdown tables.
const rowIndexes = lines.flatMap((l, i) => (/^\| `P2PNODE_[A-Z0-9_]+`\s*\|/.test(l) ? [i] : []));
const rows = new Map(
  rowIndexes.map((i) => {
    const cells = lines[i]!.split("|").map((c) => c.trim());
    return [cells[1]!.replaceAll("`", ""), cells.slice(2, -1)] as const;
  }),
);

describe("infra/README.md configuration table", () => {
  it("is one table: its variable rows are contiguous", () => {
    expect(rowIndexes.length).toBeGreaterThan(0);
    expect(rowIndexes.at(-1)! - rowIndexes[0]!).toBe(rowIndexes.length - 1);
    const header = lines[rowIndexes[0]! - 2]!.split("|").map((c) => c.trim());
    expect(header).toEqual(["", "Variable", "Node default", "Compose", "Kubernetes", "Devnet", "What", ""]);
  });

  it("has exactly one row per variable a node, its supervisor or the compose file reads", () => {
    const want = [...Object.keys(NodeEnv.shape), ...SUPERVISOR_ONLY_ENV, ...COMPOSE_FILE_ONLY].sort();
    expect([...rows.keys()].sort()).toEqual(want);
    expect(rowIndexes.length).toBe(want.length);
  });

  it("gives each listener its default port, its devnet offset and its protocol", () => {
    for (const l of Object.values(LISTENERS)) {
      const [nodeDefault, compose, , devnet] = rows.get(l.env)!;
      expect(nodeDefault, l.env).toBe(`\`${l.port}\``);
      expect(compose, l.env).toContain(String(l.port));
      expect(devnet, l.env).toBe(`\`base+${l.env === LISTENERS.nats.env ? 900 : l.port - 7000}\``);
      if (l.proto === "udp") expect(compose).toContain(`${l.port}/udp`);
    }
  });

  it("documents the commands users need", () => {
    for (const cmd of [
      "docker compose up -d --build --scale node=5",
      "docker compose port --index",
      "docker compose down -v",
      "kubectl apply -k infra/k8s/overlays/dev",
      "kubectl port-forward",
      "p2pnode devnet status --compose",
      "pnpm devnet genesis --validators 4 --out infra/validators",
      "docker compose --profile validator up -d",
      "pnpm devnet genesis --validators 4 --out infra/k8s/overlays/validator/generated",
      "kubectl apply -k infra/k8s/overlays/validator",
    ]) {
      expect(readme, cmd).toContain(cmd);
    }
  });
});
