import { bucketOf } from "../canary/histogram";
import { parseMetricsOutput } from "./command";

describe("parseMetricsOutput", () => {
  test("servers become rows in the time slot, latencies in their buckets, errors counted once", () => {
    const out = JSON.stringify({
      cursor: "c1",
      servers: [{ address: "10.0.0.5:18001", requests: 12, errors: 2, latency_ms: { "5": 10, "250": 2 } }],
    });
    expect(parseMetricsOutput(out, 60, "m")).toEqual({
      cursor: "c1",
      rows: [
        { address: "10.0.0.5:18001", slot: 60, bucket: bucketOf(5), requests: 10, errors: 2 },
        { address: "10.0.0.5:18001", slot: 60, bucket: bucketOf(250), requests: 2, errors: 0 },
      ],
    });
  });

  test.each([
    ["not JSON", "nope", /m printed no valid metrics: not JSON/],
    ["no servers", "{}", /m printed no valid metrics: .*servers/],
    [
      "latencies that do not count every request",
      JSON.stringify({ servers: [{ address: "a:1", requests: 5, errors: 0, latency_ms: { "1": 4 } }] }),
      /server a:1 reports 5 request\(s\), 0 error\(s\) and latencies of 4/,
    ],
  ])("%s is a clear error", (_, stdout, message) => {
    expect(() => parseMetricsOutput(stdout, 0, "m")).toThrow(message);
  });
});
