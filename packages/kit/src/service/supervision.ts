/**
 * A supervised service belongs to one supervisor: the one whose pid `P2PNODE_SUPERVISOR_PID`
 * names. Services run in their own process groups, so a supervisor killed with SIGKILL does not
 * take them along; they must notice themselves. The parent pid is read on every check (a cheap
 * getppid), so a write is refused once the supervisor is gone (the chain checks before a write
 * and again before answering it), and a service that starts after its supervisor died (a
 * restart it had scheduled) notices before it listens. "Gone" is when its last thread has
 * exited: only then are its children re-parented.
 */
export interface Supervision {
  /** False once the supervisor is gone (this process was re-parented). */
  alive(): boolean;
  /** Calls `onGone` once, within `everyMs`, after the supervisor is gone. */
  watch(onGone: () => void, everyMs?: number): () => void;
}

export const SUPERVISOR_PID_ENV = "P2PNODE_SUPERVISOR_PID";

/** How often an orphan check runs: the node is gone within about this plus the shutdown time. */
export const SUPERVISOR_CHECK_MS = 250;

export function supervisionFrom(env: NodeJS.ProcessEnv): Supervision {
  const named = Number(env[SUPERVISOR_PID_ENV]);
  // Older supervisors set only P2PNODE_SUPERVISED: then the parent at start is the supervisor.
  const supervisor =
    Number.isInteger(named) && named > 0 ? named : env.P2PNODE_SUPERVISED === "1" ? process.ppid : undefined;
  const alive = () => supervisor === undefined || process.ppid === supervisor;
  return {
    alive,
    watch(onGone, everyMs = SUPERVISOR_CHECK_MS) {
      if (supervisor === undefined) return () => undefined;
      const timer = setInterval(() => {
        if (alive()) return;
        clearInterval(timer);
        onGone();
      }, everyMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
