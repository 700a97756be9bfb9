import { readRepoFile } from "./repo.js";

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, ENV, ... */
  op: string;
  args: string;
  /** 0 for instructions before the second FROM, and so on. */
  stage: number;
}

export interface DockerfileFacts {
  instructions: Instruction[];
  /** Stage names in order (`FROM x AS name`). */
  stages: string[];
  /** Instructions of the final (runtime) stage. */
  runtime: Instruction[];
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  healthcheck: string[];
  exposed: string[];
  volumes: string[];
  user: string;
  uid: number;
}

/** Joins continuation lines and drops comments and parser directives. */
export function parseInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = -1;
  let buf = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    // Blank lines and comments may also sit inside a continued instruction.
    if (line === "" || line.startsWith("#")) continue;
    if (line.endsWith("\\")) {
      buf += `${line.slice(0, -1).trimEnd()} `;
      continue;
    }
    const full = (buf + line).trim();
    buf = "";
    const m = /^([A-Za-z]+)\s+([\s\S]*)$/.exec(full);
    if (!m) throw new Error(`Dockerfile: cannot read "${full}"`);
    const op = m[1]!.toUpperCase();
    if (op === "FROM") stage++;
    out.push({ op, args: m[2]!.trim(), stage });
  }
  if (buf !== "") throw new Error("Dockerfile ends inside a continued line");
  return out;
}

/** `ENV A=1 B="two"` → {A: "1", B: "two"} (the key=value form only, as the Dockerfile uses). */
export function parseEnvArgs(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g;
  let rest = args.trim();
  for (const m of args.matchAll(re)) {
    const v = m[2]!;
    out[m[1]!] = v.startsWith('"') ? (JSON.parse(v) as string) : v;
    rest = rest.replace(m[0], "").trim();
  }
  if (rest !== "") throw new Error(`ENV: cannot read "${rest}" (use KEY=value)`);
  return out;
}

function jsonArray(op: string, args: string): string[] {
  const v: unknown = JSON.parse(args);
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string"))
    throw new Error(`${op} must use the exec (JSON array) form`);
  return v;
}

export function readDockerfile(text = readRepoFile("infra", "docker", "Dockerfile")): DockerfileFacts {
  const instructions = parseInstructions(text);
  const last = Math.max(...instructions.map((i) => i.stage));
  const runtime = instructions.filter((i) => i.stage === last);
  const stages = instructions
    .filter((i) => i.op === "FROM")
    .map((i) => /\s+AS\s+(\S+)$/i.exec(i.args)?.[1] ?? "");
  const one = (op: string) => {
    const found = runtime.filter((i) => i.op === op);
    if (found.length !== 1) throw new Error(`runtime stage: expected one ${op}, found ${found.length}`);
    return found[0]!.args;
  };
  const env = Object.assign({}, ...runtime.filter((i) => i.op === "ENV").map((i) => parseEnvArgs(i.args)));
  const hc = /^(?:--\S+\s+)*CMD\s+(\[.*\])$/.exec(one("HEALTHCHECK"));
  if (!hc) throw new Error("HEALTHCHECK must be `[options] CMD [exec form]`");
  const user = one("USER");
  return {
    instructions,
    stages,
    runtime,
    env,
    entrypoint: jsonArray("ENTRYPOINT", one("ENTRYPOINT")),
    cmd: jsonArray("CMD", one("CMD")),
    healthcheck: jsonArray("HEALTHCHECK", hc[1]!),
    exposed: runtime
      .filter((i) => i.op === "EXPOSE")
      .flatMap((i) => i.args.split(/\s+/))
      .map((p) => (p.includes("/") ? p : `${p}/tcp`)),
    volumes: runtime.filter((i) => i.op === "VOLUME").flatMap((i) => jsonArray("VOLUME", i.args)),
    user,
    uid: Number(user.split(":")[0]),
  };
}
