import { chartSpec, htmlReport, mermaidChart } from "./chart";
import { bucketOf } from "./histogram";
import { analysisMarkdown, comparisonJson, comparisonTable } from "./report";
import { compare, type VersionRow } from "./stats";
import { judgeCheck } from "./verdict";

const row = (version: string, ms: number, requests: number, errors = 0, slot = 60): VersionRow => ({
  address: version,
  slot,
  bucket: bucketOf(ms),
  requests,
  errors,
  version,
});
const c = compare(
  [row("1-aaa", 10, 90), row("1-aaa", 20, 10), row("2-bbb", 30, 18, 2), row("2-bbb", 30, 2, 0, 120)],
  "2-bbb",
);

describe("charts", () => {
  test("the Vega-Lite spec holds a latency line and an error-rate line per version", () => {
    const spec = chartSpec(c, "t") as { hconcat: { data: { values: { series: string }[] } }[] };
    for (const panel of spec.hconcat) {
      expect(new Set(panel.data.values.map((v) => v.series))).toEqual(
        new Set(["stable 1-aaa", "canary 2-bbb"]),
      );
    }
    const [latency, errors] = spec.hconcat as unknown as { data: { values: Record<string, unknown>[] } }[];
    expect(latency!.data.values.filter((v) => v.series === "stable 1-aaa").at(-1)).toMatchObject({
      share: 1,
    });
    expect(errors!.data.values.filter((v) => v.series === "canary 2-bbb").map((v) => v.errorRate)).toEqual([
      2 / 18,
      0,
    ]);
  });

  test("the mermaid charts have one line per version, a point per check", () => {
    const text = mermaidChart([c, c, c], 'shop "prod"');
    expect(text.match(/```mermaid/g)).toHaveLength(2);
    expect(text).toContain('x-axis "check" ["1", "2", "3"]');
    const lines = text.split("\n").filter((l) => l.trim().startsWith("line "));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(`  line [${[c, c, c].map(() => Math.round(c.stable.p99!)).join(", ")}]`);
    expect(lines[3]).toBe("  line [10, 10, 10]");
    expect(text).toContain('title "shop  prod : p99 latency per check"');
  });

  test("the HTML report escapes what it shows and embeds the SVG", () => {
    const html = htmlReport(c, "<svg></svg>", "a <b> & c");
    expect(html).toContain("<h1>a &#60;b&#62; &#38; c</h1>");
    expect(html).toContain('<figure id="chart"><svg></svg></figure>');
    expect(html).toContain('<tr class="canary"><th>canary 2-bbb</th><td>20</td><td>2</td><td>10.00%</td>');
  });
});

describe("reports", () => {
  test("the table lines up both versions and the p99 ratio", () => {
    const lines = comparisonTable(c).trimEnd().split("\n");
    expect(lines[0]).toMatch(/^\s+version\s+requests\s+errors\s+error rate\s+p50 ms\s+p95 ms\s+p99 ms$/);
    expect(lines[1]).toMatch(/^stable\s+1-aaa\s+100\s+0\s+0%/);
    expect(lines[2]).toMatch(/^canary\s+2-bbb\s+20\s+2\s+10%/);
    expect(lines[3]).toMatch(/^p99 ratio canary ÷ stable: 1\.\d\d$/);
  });

  test("JSON has the histogram as plain numbers", () => {
    const json = comparisonJson(c);
    expect(JSON.parse(JSON.stringify(json)).canary.latencyMs).toEqual({ [String(json.canary.p99)]: 20 });
    expect(json.canary).not.toHaveProperty("latency", expect.anything());
  });

  test("the job summary names the verdict and both versions", () => {
    const md = analysisMarkdown({
      title: "shop in prod",
      outcome: "fail",
      action: "abort",
      reasons: ["error rate 10% (2/20) is above max-error-rate 5%"],
      total: c,
      checks: [{ window: c, result: judgeCheck(c, { maxErrorRate: 0.05, minRequests: 1 } as never) }],
    });
    expect(md).toContain("### ❌ Canary analysis: fail → abort");
    expect(md).toContain("- error rate 10% (2/20) is above max-error-rate 5%");
    expect(md).toMatch(/\| canary 2-bbb \| 20 \| 2 \| 10% \|/);
    expect(md).toContain("```mermaid");
  });
});
