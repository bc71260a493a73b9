/**
 * A Vega-Lite spec (chart.ts) as an SVG document, by vega's own renderer: no canvas, no browser.
 * Not exported from the package index on purpose: vega is 2 MB of bundle, and only the CLI's
 * `compare --html` needs it, so the actions (which import the index) do not carry it.
 */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  // Eager: bundled into the one CLI file rather than a chunk beside it (the package ships one file).
  const vega = await import(/* webpackMode: "eager" */ "vega");
  const { compile } = await import(/* webpackMode: "eager" */ "vega-lite");
  const view = new vega.View(vega.parse(compile(spec as never).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
