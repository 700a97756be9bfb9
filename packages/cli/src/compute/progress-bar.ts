import type { JobCounts } from "@p2pnode/types";

const WIDTH = 30;

/** One line of progress: `[#####.....] 12/40 jobs  2 running  0 failed  30%`. */
export function progressLine(c: JobCounts): string {
  const finished = c.done + c.failed;
  const filled = c.total === 0 ? WIDTH : Math.round((finished / c.total) * WIDTH);
  const pct = c.total === 0 ? 100 : Math.floor((finished / c.total) * 100);
  return `[${"#".repeat(filled)}${".".repeat(WIDTH - filled)}] ${finished}/${c.total} jobs  ${c.running} running  ${c.failed} failed  ${pct}%`;
}

/**
 * Draws progress on a terminal (one line, redrawn in place) or, when the output is a file or a
 * pipe, prints a line each time another tenth of the jobs is finished.
 */
export class ProgressBar {
  private lastTenth = -1;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  update(c: JobCounts): void {
    if (this.out.isTTY) {
      this.out.write(`\r${progressLine(c)}`);
      return;
    }
    const tenth = c.total === 0 ? 10 : Math.floor(((c.done + c.failed) / c.total) * 10);
    if (tenth > this.lastTenth) {
      this.lastTenth = tenth;
      this.out.write(`${progressLine(c)}\n`);
    }
  }

  end(): void {
    if (this.out.isTTY) this.out.write("\n");
  }
}
