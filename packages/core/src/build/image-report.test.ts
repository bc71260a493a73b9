import type { ImageInfo } from "../docker/inspect";
import { checkImage, formatBytes, imageReport } from "./image-report";

const info = (size: number, user: string): ImageInfo => ({
  id: "sha256:x",
  size,
  user,
  labels: {},
  repoTags: [],
  created: "",
  exposedPorts: [],
});
const history = [
  { id: "a", instruction: 'CMD ["node"]', size: 0, created: "" },
  { id: "b", instruction: "COPY . /app", size: 2_000, created: "" },
  { id: "c", instruction: "RUN npm ci", size: 50_000_000, created: "" },
  { id: "d", instruction: "COPY dir:… in /", size: 100_000, created: "" },
];

test("imageReport lists layers with bytes, largest first", () => {
  const r = imageReport("web:local", info(50_102_000, "app"), history);
  expect(r.layers.map((l) => l.instruction)).toEqual(["RUN npm ci", "COPY dir:… in /", "COPY . /app"]);
  expect(r).toMatchObject({ size: 50_102_000, runsAsRoot: false, emptyLayers: 1 });
});

test.each<
  [
    string,
    number,
    string,
    { root?: "allow" | "warn" | "error"; budget?: number },
    number,
    number,
    RegExp | null,
  ]
>([
  ["non-root, within budget", 100, "app", { budget: 200 }, 0, 0, null],
  ["root warns by default", 100, "", {}, 1, 0, /runs as root \(no USER instruction\)/],
  ["root allowed", 100, "root", { root: "allow" }, 0, 0, null],
  ["root as error", 100, "0", { root: "error" }, 0, 1, /runs as user "0"/],
  [
    "over budget says by how much",
    150_000_000,
    "app",
    { budget: 100_000_000 },
    0,
    1,
    /over its size budget of 100 MB by 50.0 MB \(50\.0%\)/,
  ],
  ["exactly at budget passes", 100, "app", { budget: 100 }, 0, 0, null],
])("%s", (_name, size, user, settings, warnings, errors, message) => {
  const checks = checkImage(imageReport("web:local", info(size, user), history), settings);
  expect(checks.warnings).toHaveLength(warnings);
  expect(checks.errors).toHaveLength(errors);
  if (message) expect([...checks.warnings, ...checks.errors].join("\n")).toMatch(message);
});

test.each([
  [0, "0 B"],
  [999, "999 B"],
  [1_000, "1.00 kB"],
  [12_345_678, "12.3 MB"],
  [150_000_000, "150 MB"],
  [2_500_000_000, "2.50 GB"],
])("formatBytes(%d) = %s", (n, s) => {
  expect(formatBytes(n)).toBe(s);
});
