import { type ChildProcess, spawn } from "node:child_process";
import type { Logger } from "@p2pnode/kit/log";
import { forwardLines, padName } from "../util/line-prefixer.js";

export interface ManagedChildOptions {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** First restart delay; doubles on each quick crash up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A child that ran this long is considered healthy again and the backoff resets. */
  stableAfterMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
}

/**
 * A child process the supervisor keeps alive: output forwarded with a name prefix, restarted with
 * exponential backoff when it exits on its own, stopped with SIGTERM then SIGKILL.
 */
export class ManagedChild {
  private proc: ChildProcess | undefined;
  private stopping = false;
  private restarts = 0;
  private backoffMs: number;
  private restartTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private readonly o: Required<ManagedChildOptions>;

  constructor(
    opts: ManagedChildOptions,
    private readonly log: Logger,
    private readonly out: (line: string) => void,
    private readonly onSpawn: (name: string, pid: number) => void = () => undefined,
  ) {
    this.o = {
      initialBackoffMs: 500,
      maxBackoffMs: 30_000,
      stableAfterMs: 30_000,
      stopGraceMs: 10_000,
      ...opts,
    };
    this.backoffMs = this.o.initialBackoffMs;
  }

  get name(): string {
    return this.o.name;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get restartCount(): number {
    return this.restarts;
  }

  isAlive(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  start(): void {
    // Own process group: a Ctrl-C or a group-wide SIGTERM reaches only the supervisor, which then
    // stops the children in order instead of racing their exits against restarts.
    const proc = spawn(this.o.command, this.o.args, {
      env: this.o.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    this.proc = proc;
    this.startedAt = Date.now();
    const prefix = padName(this.o.name);
    if (proc.stdout) forwardLines(proc.stdout, prefix, this.out);
    if (proc.stderr) forwardLines(proc.stderr, prefix, this.out);
    proc.once("error", (err) =>
      this.log.error({ child: this.o.name, err: err.message }, "could not start child"),
    );
    if (proc.pid !== undefined) this.onSpawn(this.o.name, proc.pid);
    proc.once("exit", (code, signal) => this.onExit(code, signal));
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) return;
    if (Date.now() - this.startedAt >= this.o.stableAfterMs) this.backoffMs = this.o.initialBackoffMs;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.o.maxBackoffMs);
    this.restarts++;
    this.log.warn(
      { child: this.o.name, code, signal, restartInMs: delay, restarts: this.restarts },
      "child exited; restarting",
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopping) this.start();
    }, delay);
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves when the process is gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const proc = this.proc;
    if (!proc || !this.isAlive()) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill("SIGTERM");
    const killer = setTimeout(() => {
      this.log.warn({ child: this.o.name }, "child ignored SIGTERM; sending SIGKILL");
      proc.kill("SIGKILL");
    }, this.o.stopGraceMs);
    await exited;
    clearTimeout(killer);
  }
}
