import type { TaskEvent } from "@p2pnode/types";

type Listener = (e: TaskEvent) => void;

/** Fans a task's progress events out to its live streams (SSE clients). */
export class ProgressHub {
  private readonly listeners = new Map<string, Set<Listener>>();

  publish(e: TaskEvent): void {
    for (const l of this.listeners.get(e.taskId) ?? []) l(e);
  }

  subscribe(taskId: string, l: Listener): () => void {
    let set = this.listeners.get(taskId);
    if (!set) {
      set = new Set();
      this.listeners.set(taskId, set);
    }
    set.add(l);
    return () => {
      set.delete(l);
      if (set.size === 0) this.listeners.delete(taskId);
    };
  }
}
