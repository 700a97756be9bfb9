import { readFileSync } from "node:fs";
import { ComputeClient } from "@p2pnode/sdk";
import { CodedError, type RelayedCode, type TaskView } from "@p2pnode/types";
import type { Command } from "commander";
import { serviceUrl } from "../chain/node-url.js";
import { CliError } from "../errors.js";
import { ProgressBar } from "./progress-bar.js";

const nodeOption = "--node <url>";
const nodeHelp =
  "compute API URL (default: $P2PNODE_COMPUTE_URL, the devnet's node0, or http://127.0.0.1:7600)";

const client = (o: { node?: string }) => new ComputeClient(serviceUrl("compute", o.node));

function int(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+(e[0-9]+)?$/.test(value)) throw new CliError("BAD_ARGS", `${name}: a whole number`);
  return Number(value);
}

/** A file's text, or standard input for "-". */
function readInput(path: string, what: string): string {
  try {
    return readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (err) {
    throw new CliError("BAD_ARGS", `${what}: cannot read ${path} (${(err as Error).message})`);
  }
}

function printTask(t: TaskView): void {
  const j = t.jobs;
  process.stdout.write(
    `task:      ${t.id}\nstatus:    ${t.status}\njobs:      ${j.done} done, ${j.failed} failed, ${j.running} running, ${j.pending} pending of ${j.total}\n` +
      `attempts:  ${t.attempts.total} (${t.attempts.retried} re-run)\nfunction:  ${t.function}\n` +
      `replicas:  ${t.replication} (quorum ${t.quorum}${t.adaptive ? ", adaptive" : ""})\n` +
      (t.error ? `error:     ${t.error.code}: ${t.error.message}\n` : "") +
      (t.resultHash ? `result:    sha256 ${t.resultHash}\n` : ""),
  );
}

/** Follows a task's events with a progress bar until it ends; returns the final view. */
async function follow(c: ComputeClient, id: string): Promise<TaskView> {
  const bar = new ProgressBar();
  for await (const e of c.events(id)) {
    bar.update(e.jobs);
    if (e.type === "done" || e.type === "failed") break;
  }
  bar.end();
  return c.task(id);
}

function finish(t: TaskView): void {
  if (t.status === "failed")
    // The compute service's code (its ComputeErrorCode set), passed on as it came.
    throw new CodedError<RelayedCode>(t.error?.code ?? "TASK_FAILED", `task failed: ${t.error?.message}`);
  process.stdout.write(`${JSON.stringify(t.result, null, 2)}\n`);
}

/** `p2pnode compute register|submit|status|result`. */
export function registerCompute(program: Command): void {
  const compute = program
    .command("compute")
    .description("register functions and run tasks on the node's compute service (sandboxed JavaScript)");

  compute
    .command("register")
    .description(
      "register a function: a JavaScript file whose completion value is a function, e.g. (x) => x * 2",
    )
    .argument("<file>", "source file, or - for standard input")
    .option("--memory-mb <n>", "sandbox heap limit in MiB (default 64)")
    .option("--budget <n>", "instruction budget of one run (default 2e9)")
    .option("--timeout-ms <n>", "wall-clock limit of one run (default 30000)")
    .option(nodeOption, nodeHelp)
    .action(
      async (file: string, o: { memoryMb?: string; budget?: string; timeoutMs?: string; node?: string }) => {
        const mb = int(o.memoryMb, "--memory-mb");
        const limits = {
          memoryBytes: mb === undefined ? 64 * 1024 * 1024 : mb * 1024 * 1024,
          budget: int(o.budget, "--budget") ?? 2e9,
          timeoutMs: int(o.timeoutMs, "--timeout-ms") ?? 30_000,
        };
        const fn = await client(o).registerFunction({ source: readInput(file, "register"), limits });
        process.stdout.write(`${fn.hash}\n`);
        process.stderr.write(`registered (${fn.encodedBytes} bytes, ${fn.dhtReplicas} DHT copies)\n`);
      },
    );

  compute
    .command("submit")
    .description("submit a task: one job per element of a JSON array of inputs")
    .requiredOption("--function <hash>", "the function's hash (from register)")
    .requiredOption("--inputs <file>", "JSON array of inputs, or - for standard input")
    .option("--replication <n>", "distinct workers per job", "1")
    .option("--quorum <n>", "agreeing results that accept a job (default: replication)")
    .option("--deadline-ms <n>", "wall-clock limit of one attempt (default: the function's)")
    .option("--budget <n>", "instruction budget of one run (default: the function's)")
    .option("--reduce <hash>", "a registered function run over the ordered results")
    .option("--seed <hex>", "seeds Math.random in the sandbox (same seed, same numbers)")
    .option("--no-adaptive", "always replicate, even to workers with a long agreeing record")
    .option(
      "--idempotency-key <key>",
      "a name for this submission: run again with the same key, it prints the task the first run made",
    )
    .option("--wait", "follow progress with a progress bar and print the result")
    .option(nodeOption, nodeHelp)
    .action(async (o: Record<string, string | boolean | undefined>) => {
      let inputs: unknown;
      try {
        inputs = JSON.parse(readInput(String(o.inputs), "--inputs"));
      } catch (err) {
        if (err instanceof CodedError) throw err;
        throw new CliError("BAD_ARGS", `--inputs: not JSON (${(err as Error).message})`);
      }
      if (!Array.isArray(inputs)) throw new CliError("BAD_ARGS", "--inputs: a JSON array");
      const c = client(o as { node?: string });
      const t = await c.submitTask(
        {
          function: String(o.function),
          inputs,
          replication: int(o.replication as string, "--replication"),
          quorum: int(o.quorum as string | undefined, "--quorum"),
          deadlineMs: int(o.deadlineMs as string | undefined, "--deadline-ms"),
          budget: int(o.budget as string | undefined, "--budget"),
          reduce: o.reduce as string | undefined,
          seed: o.seed as string | undefined,
          adaptive: o.adaptive !== false,
        },
        { idempotencyKey: o.idempotencyKey as string | undefined },
      );
      process.stdout.write(`${t.id}\n`);
      if (o.wait) finish(await follow(c, t.id));
    });

  compute
    .command("status")
    .description("a task's progress: jobs done/total, attempts, error")
    .argument("<task>", "task id")
    .option("--follow", "show a progress bar until the task ends")
    .option(nodeOption, nodeHelp)
    .action(async (id: string, o: { follow?: boolean; node?: string }) => {
      const c = client(o);
      printTask(o.follow ? await follow(c, id) : await c.task(id));
    });

  compute
    .command("result")
    .description("a finished task's result as JSON (with --wait: wait for it, with a progress bar)")
    .argument("<task>", "task id")
    .option("--wait", "wait until the task ends")
    .option(nodeOption, nodeHelp)
    .action(async (id: string, o: { wait?: boolean; node?: string }) => {
      const c = client(o);
      const t = o.wait ? await follow(c, id) : await c.task(id);
      if (t.status === "running")
        throw new CodedError(
          "NOT_READY",
          `task ${id} is still running (${t.jobs.done}/${t.jobs.total}); use --wait`,
        );
      finish(t);
    });
}
