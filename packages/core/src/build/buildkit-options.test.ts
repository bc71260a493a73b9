import type { PowertrainConfig } from "../config/schema";
import { buildKitInputs, parseSecretLines } from "./buildkit-options";

const config: PowertrainConfig = { name: "web", image: { registry: "r:5000" } };

test.each<[string, PowertrainConfig["build"], object, object]>([
  ["nothing", {}, {}, { cacheFrom: [], cacheTo: [], secrets: [], ssh: [] }],
  [
    "the registry shorthand, and an input adding a source",
    { cache: "registry" },
    { cacheFrom: ["type=gha"] },
    {
      cacheFrom: ["type=registry,ref=r:5000/web:buildcache", "type=gha"],
      cacheTo: ["type=registry,ref=r:5000/web:buildcache,mode=max"],
    },
  ],
  [
    "registry inside the lists, duplicates once",
    { cache: { from: ["registry", "type=local,src=/c"], to: ["type=inline"] } },
    { cacheFrom: ["type=local,src=/c"] },
    { cacheFrom: ["type=registry,ref=r:5000/web:buildcache", "type=local,src=/c"], cacheTo: ["type=inline"] },
  ],
  [
    "an input's secret replaces the config's of the same id",
    {
      secrets: [
        { id: "npm", env: "NPM_TOKEN" },
        { id: "key", file: "/k" },
      ],
      ssh: ["default"],
    },
    { secrets: [{ id: "npm", file: "rel/npmrc" }], ssh: ["github=/agent.sock"] },
    { secrets: ["id=key,src=/k", "id=npm,src=/cfg/rel/npmrc"], ssh: ["default", "github=/agent.sock"] },
  ],
])("%s", (_name, build, request, expected) => {
  const inputs = buildKitInputs({ ...config, build }, "p.yml", "/cfg", request, { NPM_TOKEN: "t" });
  expect(inputs).toMatchObject(expected);
});

test("a secret from an unset variable warns", () => {
  const inputs = buildKitInputs(
    { ...config, build: { secrets: [{ id: "npm", env: "NPM_TOKEN" }] } },
    "p.yml",
    "/cfg",
    {},
    {},
  );
  expect(inputs.warnings).toEqual([
    "build.secrets[0]: variable NPM_TOKEN is not set; secret npm is empty in the build",
  ]);
});

test.each([
  [
    ["a=b=c", "t= spaced "],
    "value",
    [
      { id: "a", value: "b=c" },
      { id: "t", value: " spaced " },
    ],
  ],
  [["npm=NPM_TOKEN"], "env", [{ id: "npm", env: "NPM_TOKEN" }]],
  [["key=./id_rsa"], "file", [{ id: "key", file: "./id_rsa" }]],
] as const)("parseSecretLines %j (%s)", (lines, kind, expected) => {
  expect(parseSecretLines(lines, kind, "secrets")).toEqual(expected);
});

test.each([
  ["novalue", "value"],
  ["=x", "value"],
  ["bad id=x", "value"],
  ["npm=", "env"],
] as const)("parseSecretLines rejects %j without echoing it", (line, kind) => {
  let message = "";
  try {
    parseSecretLines([line], kind, "secrets");
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toMatch(/^secrets: expected id=/);
  expect(message).not.toContain(line);
});
