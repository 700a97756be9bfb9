import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { Devnet, type DevnetState, defaultCliMain, makeNode } from "@p2pnode/devnet";
import { NodeEnv } from "@p2pnode/kit";
import { readGenesisFile } from "@p2pnode/rules";
import { describe, expect, it } from "vitest";
import { parseEnvArgs, parseInstructions, readDockerfile } from "./lib/dockerfile.js";
import {
  EXPOSED_LISTENERS,
  IMAGE_APP_DIR,
  imagePathToRepo,
  portSpec,
  ROOT,
  readRepoFile,
  repoPath,
  SUPERVISOR_ONLY_ENV,
} from "./lib/repo.js";

const df = readDockerfile();
const KNOWN_ENV = new Set([...Object.keys(NodeEnv.shape), ...SUPERVISOR_ONLY_ENV]);

/** The CLI entry the image runs, relative to the workspace root (the image's /app). */
const IMAGE_CLI_MAIN = `${IMAGE_APP_DIR}/packages/cli/dist/main.js`;

describe("Dockerfile", () => {
  it("builds in stages and ends in a runtime stage from a slim Node image", () => {
    expect(df.stages).toEqual(expect.arrayContaining(["build", "prune", "runtime"]));
    expect(df.stages.at(-1)).toBe("runtime");
    expect(df.runtime[0]!.args).toMatch(/^\$\{NODE_IMAGE\} AS runtime$/);
    const arg = df.instructions.find((i) => i.op === "ARG" && i.args.startsWith("NODE_IMAGE="));
    expect(arg?.args).toMatch(/^NODE_IMAGE=node:20[-.\w]*-slim$/);
  });

  it("installs with the lockfile and prunes to production dependencies", () => {
    const runs = df.instructions.filter((i) => i.op === "RUN").map((i) => i.args);
    expect(runs.some((r) => /pnpm install .*--frozen-lockfile/.test(r) && !r.includes("--prod"))).toBe(true);
    expect(runs.some((r) => /pnpm build/.test(r))).toBe(true);
    // The prune stage is scripts/prod-tree.sh, the same script CI rehearses the shipped tree with.
    const prune = df.instructions.filter((i) => i.stage === df.stages.indexOf("prune") && i.op === "RUN");
    expect(prune.map((i) => i.args)).toEqual([expect.stringMatching(/ sh scripts\/prod-tree\.sh \/src$/)]);
    expect(readRepoFile("scripts", "prod-tree.sh")).toMatch(
      /pnpm install --offline --frozen-lockfile --prod/,
    );
    // better-sqlite3 may have to compile.
    expect(runs.some((r) => /apt-get install .*python3.*make.*g\+\+/.test(r))).toBe(true);
  });

  it("copies nats-server from the official NATS image onto PATH", () => {
    const copy = df.runtime.find((i) => i.op === "COPY" && i.args.includes("nats-server"));
    expect(copy?.args).toBe("--from=nats /usr/local/bin/nats-server /usr/local/bin/nats-server");
    const natsFrom = df.instructions.find((i) => i.op === "FROM" && / AS nats$/.test(i.args));
    expect(natsFrom?.args).toBe(`$${"{"}NATS_IMAGE} AS nats`);
    expect(df.instructions.find((i) => i.op === "ARG" && i.args.startsWith("NATS_IMAGE="))?.args).toBe(
      "NATS_IMAGE=nats:2.10-alpine",
    );
  });

  it("runs as a numeric non-root user, with the data dir as a volume", () => {
    expect(df.user).toMatch(/^\d+:\d+$/);
    expect(df.uid).toBeGreaterThan(0);
    expect(df.volumes).toContain(df.env.P2PNODE_DATA_DIR);
  });

  it("exposes every listener but NATS", () => {
    expect([...df.exposed].sort()).toEqual(EXPOSED_LISTENERS.map(portSpec).sort());
  });

  it("sets only documented variables, with values NodeEnv accepts", () => {
    const ours = Object.keys(df.env).filter((k) => k.startsWith("P2PNODE_"));
    for (const k of ours) expect(KNOWN_ENV.has(k), k).toBe(true);
    const parsed = NodeEnv.safeParse(df.env);
    expect(parsed.success, parsed.error?.message).toBe(true);
    expect(df.env.P2PNODE_API_HOST).toBe("0.0.0.0");
  });

  it("bakes in a genesis that is valid and documented", () => {
    const file = imagePathToRepo(df.env.P2PNODE_GENESIS!);
    expect(file && existsSync(file)).toBe(true);
    const genesis = readGenesisFile(file!); // the supervisor's own reader: what it accepts at start
    // Milliseconds, like block headers: a value in seconds would date genesis to January 1970.
    expect(genesis.timestamp).toBeGreaterThan(Date.UTC(2020, 0, 1));
    expect(readRepoFile("infra", "README.md")).toContain(`\`${genesis.chainId}\``);
  });

  it("runs `node start` through tini and the entrypoint, with a health check from the image", () => {
    expect(df.entrypoint).toEqual(["/usr/bin/tini", "--", `${IMAGE_APP_DIR}/infra/docker/entrypoint.sh`]);
    expect(df.cmd).toEqual(["node", "start"]);
    expect(df.healthcheck[0]).toBe("node");
    for (const p of [df.entrypoint[2]!, df.healthcheck[1]!]) {
      const file = imagePathToRepo(p);
      expect(file && existsSync(file), p).toBe(true);
    }
  });

  it("parses continued lines, comments inside them and both ENV forms it uses", () => {
    const ins = parseInstructions(
      'FROM a AS b\n# c\nRUN x \\\n  # inside\n\n  && y\nENV A=1 \\\n B="two words"\n',
    );
    expect(ins.map((i) => [i.op, i.args])).toEqual([
      ["FROM", "a AS b"],
      ["RUN", "x && y"],
      ["ENV", 'A=1 B="two words"'],
    ]);
    expect(parseEnvArgs('A=1 B="two words"')).toEqual({ A: "1", B: "two words" });
    expect(() => parseEnvArgs("A 1")).toThrow();
  });
});

const CLI_MAIN_PLACEHOLDER = "<cli main>";

/**
 * The arguments devnet gives `process.execPath` when it starts a node, read from its source
 * (`spawn(process.execPath, [ ... ])` in packages/devnet/src/devnet.ts), with this.cliMain as a
 * placeholder: the container must run the same flags and command.
 */
function devnetSpawnArgs(): string[] {
  const src = readRepoFile("packages", "devnet", "src", "devnet.ts");
  const m = /spawn\(process\.execPath, \[([^\]]*)\]/.exec(src);
  if (!m) throw new Error("devnet.ts no longer spawns `process.execPath [...]`: update this test");
  return m[1]!.split(",").map((t) => {
    const tok = t.trim();
    if (tok === "this.cliMain") return CLI_MAIN_PLACEHOLDER;
    if (/^"[^"]*"$/.test(tok)) return JSON.parse(tok) as string;
    throw new Error(`devnet.ts spawn argument ${tok} is not a literal this test understands`);
  });
}

describe("entrypoint.sh", () => {
  /** Runs the entrypoint with stand-ins for `node` and `hostname` that record what they were given. */
  function runEntrypoint(
    env: Record<string, string>,
    hostnameOutput: string,
  ): { argv: string[]; env: Record<string, string> } {
    const bin = mkdtempSync(join(tmpdir(), "p2pnode-entry-"));
    const out = join(bin, "out.json");
    writeFileSync(
      join(bin, "node"),
      `#!/bin/sh\n${process.execPath} -e 'require("fs").writeFileSync(process.argv[1], JSON.stringify({argv: process.argv.slice(2), env: process.env}))' "${out}" "$@"\n`,
    );
    writeFileSync(join(bin, "hostname"), `#!/bin/sh\necho "${hostnameOutput}"\n`);
    chmodSync(join(bin, "node"), 0o755);
    chmodSync(join(bin, "hostname"), 0o755);
    execFileSync("sh", [repoPath("infra", "docker", "entrypoint.sh"), ...df.cmd], {
      env: { PATH: `${bin}:/usr/bin:/bin`, ...env },
    });
    return JSON.parse(readFileSync(out, "utf8"));
  }

  it("execs the same command line devnet runs: node [flags] <cli main> node start", () => {
    const { argv } = runEntrypoint({}, "172.18.0.5");
    expect(argv.slice(-1 - df.cmd.length)).toEqual([IMAGE_CLI_MAIN, ...df.cmd]);
    // Devnet spawns process.execPath with [cliMain, "node", "start"]; cliMain is the same file.
    expect(relative(ROOT, defaultCliMain())).toBe(relative(IMAGE_APP_DIR, IMAGE_CLI_MAIN));
    expect(argv).toEqual(devnetSpawnArgs().map((a) => (a === CLI_MAIN_PLACEHOLDER ? IMAGE_CLI_MAIN : a)));
  });

  it.each([
    ["the container's first address", "172.18.0.5 fd00::5", {}, "172.18.0.5"],
    ["nothing for loopback", "127.0.0.1", {}, undefined],
    [
      "an address set by the operator (or the downward API)",
      "172.18.0.5",
      { P2PNODE_ADVERTISE_HOST: "10.1.2.3" },
      "10.1.2.3",
    ],
  ])("advertises %s", (_id, hostname, env, want) => {
    expect(runEntrypoint(env, hostname).env.P2PNODE_ADVERTISE_HOST).toBe(want);
  });
});

describe("devnet", () => {
  /** A devnet's state (a miner and a full node) in a fresh directory, nothing started. */
  const twoNodeDevnet = (): { dir: string; state: DevnetState } => {
    const dir = mkdtempSync(join(tmpdir(), "p2pnode-devnet-"));
    const state: DevnetState = {
      version: 1,
      chainId: "devnet-test",
      apiToken: "t".repeat(32),
      portBase: 20000,
      genesisFile: join(dir, "genesis.json"),
      nodes: [makeNode(dir, 0, "miner", 20000), makeNode(dir, 1, "full", 20000)],
    };
    return { dir, state };
  };

  it("gives a node only variables the container table documents", () => {
    const { dir, state } = twoNodeDevnet();
    const env = new Devnet({ dir }).nodeEnv(state, state.nodes[1]!);
    const names = Object.keys(env).filter((k) => k.startsWith("P2PNODE_"));
    expect(names.length).toBeGreaterThan(5);
    for (const k of names) expect(KNOWN_ENV.has(k), k).toBe(true);
    const table = readRepoFile("infra", "README.md");
    for (const k of names) expect(table, k).toContain(`\`${k}\``);
  });

  it("passes the service processes' Node.js flags on to every node when its own environment sets them", () => {
    const { dir, state } = twoNodeDevnet();
    const before = process.env.P2PNODE_SERVICE_NODE_FLAGS;
    try {
      delete process.env.P2PNODE_SERVICE_NODE_FLAGS;
      expect(new Devnet({ dir }).nodeEnv(state, state.nodes[1]!)).not.toHaveProperty(
        "P2PNODE_SERVICE_NODE_FLAGS",
      );
      process.env.P2PNODE_SERVICE_NODE_FLAGS = "--max-semi-space-size=1";
      for (const node of state.nodes)
        expect(new Devnet({ dir }).nodeEnv(state, node).P2PNODE_SERVICE_NODE_FLAGS).toBe(
          "--max-semi-space-size=1",
        );
    } finally {
      if (before === undefined) delete process.env.P2PNODE_SERVICE_NODE_FLAGS;
      else process.env.P2PNODE_SERVICE_NODE_FLAGS = before;
    }
  });
});

describe(".dockerignore", () => {
  const patterns = readRepoFile(".dockerignore")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));

  it("keeps host installs, build output and node data out of the build context", () => {
    for (const p of ["**/node_modules", "**/dist", ".devnet", ".git"]) expect(patterns).toContain(p);
  });

  it("does not exclude what the build needs", () => {
    // A pattern without wildcards that names a needed path (or one of its parents) would drop it.
    const needed = [
      "pnpm-lock.yaml",
      "package.json",
      "infra/docker",
      "infra/genesis",
      "packages",
      "services",
    ];
    for (const p of patterns.filter((x) => !x.includes("*") && !x.startsWith("!"))) {
      for (const n of needed) expect(n === p || n.startsWith(`${p}/`), `${p} excludes ${n}`).toBe(false);
    }
  });
});
