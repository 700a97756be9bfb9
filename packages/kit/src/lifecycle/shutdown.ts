import type { Logger } from "../log/index.js";

type Closer = { name: string; close: () => Promise<void> | void };

/**
 * Graceful shutdown: on SIGTERM/SIGINT the closers run in reverse order of registration (last
 * started, first stopped), each bounded by a timeout, then the process exits. A second signal
 * exits at once.
 */
export class Shutdown {
  private readonly closers: Closer[] = [];
  private stopping = false;

  constructor(
    private readonly log: Logger,
    private readonly timeoutMs = 10_000,
  ) {}

  add(name: string, close: Closer["close"]): void {
    this.closers.push({ name, close });
  }

  listen(): void {
    for (const sig of ["SIGTERM", "SIGINT"] as const) {
      process.on(sig, () => {
        if (this.stopping) process.exit(130);
        this.log.info({ signal: sig }, "shutting down");
        void this.run(0);
      });
    }
  }

  async run(exitCode: number): Promise<never> {
    this.stopping = true;
    for (const c of [...this.closers].reverse()) {
      const timer = new Promise<void>((resolve) => setTimeout(resolve, this.timeoutMs).unref());
      try {
        await Promise.race([Promise.resolve(c.close()), timer]);
      } catch (err) {
        this.log.warn({ err, part: c.name }, "error while stopping");
      }
    }
    this.log.flush?.();
    process.exit(exitCode);
  }
}
