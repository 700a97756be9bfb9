/**
 * Start-up milestones of this process, each in ms since the process started
 * (`performance.timeOrigin`): where a slow start went, logged once with "service listening" and
 * read by packages/devnet's node-start bench. The first mark of a name wins.
 */
const marks: Record<string, number> = {};

export function markStartup(name: string): void {
  marks[name] ??= Math.round(performance.now());
}

/** The marks so far, and the process's start as epoch ms to line them up across processes. */
export function startupMarks(): { processStartAt: number; ms: Readonly<Record<string, number>> } {
  return { processStartAt: Math.round(performance.timeOrigin), ms: { ...marks } };
}
