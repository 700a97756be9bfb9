import type { Readable } from "node:stream";

/** Forwards a child's output line by line, each line prefixed with the child's name. */
export function forwardLines(src: Readable, prefix: string, write: (line: string) => void): void {
  let partial = "";
  src.setEncoding("utf8");
  src.on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) if (line.length > 0) write(`${prefix}${line}\n`);
  });
  src.on("end", () => {
    if (partial.length > 0) write(`${prefix}${partial}\n`);
    partial = "";
  });
}

export function padName(name: string): string {
  return `${name.padEnd(8)}| `;
}
