/** Tiny DOM helpers: text is always set as text, never parsed as HTML (snapshots come from peers). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string | null)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) if (c !== null) e.append(c);
  return e;
}

const SVG = "http://www.w3.org/2000/svg";
export function svg(
  tag: string,
  attrs: Record<string, string | number> = {},
  ...children: (Node | string)[]
): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  for (const c of children) e.append(c);
  return e;
}

export function short(hex: string, n = 8): string {
  return hex.slice(0, n);
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** A step chart of CDFs: x = delay (ms), y = fraction of nodes. */
export function cdfChart(
  series: { name: string; color: string; points: [number, number][] }[],
  width = 320,
  height = 140,
): SVGElement {
  const pad = 28;
  const maxX = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[0])));
  const sx = (x: number) => pad + (x / maxX) * (width - pad - 8);
  const sy = (y: number) => height - pad + 4 - y * (height - pad - 8);
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img" });
  root.append(
    svg("line", { x1: pad, y1: sy(0), x2: width - 8, y2: sy(0), stroke: "#94a3b8" }),
    svg("line", { x1: pad, y1: sy(0), x2: pad, y2: sy(1), stroke: "#94a3b8" }),
    svg("text", { x: 2, y: sy(1) + 4, class: "axis" }, "100%"),
    svg(
      "text",
      { x: width - 8, y: height - 4, class: "axis", "text-anchor": "end" },
      `${Math.round(maxX)} ms`,
    ),
  );
  for (const s of series) {
    if (s.points.length === 0) continue;
    let d = `M${sx(0)},${sy(0)}`;
    let y = 0;
    for (const [x, f] of s.points) {
      d += ` L${sx(x)},${sy(y)} L${sx(x)},${sy(f)}`;
      y = f;
    }
    root.append(
      svg("path", { d, fill: "none", stroke: s.color, "stroke-width": 2 }, svg("title", {}, s.name)),
    );
  }
  return root;
}

/** Horizontal bars: label, value, formatted value. */
export function bars(rows: { label: string; value: number; text: string }[]): HTMLElement {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return el(
    "div",
    { class: "bars" },
    ...rows.map((r) =>
      el(
        "div",
        { class: "bar-row" },
        el("span", { class: "bar-label" }, r.label),
        el("span", { class: "bar", style: `width:${Math.max(1, (r.value / max) * 100)}%` }),
        el("span", { class: "bar-value" }, r.text),
      ),
    ),
  );
}
