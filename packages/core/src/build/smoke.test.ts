import type { PowertrainConfig, RunConfig } from "../config/schema";
import { appPort, commandArgs, runArgs, smokeRunConfig } from "./smoke";

test.each<[RunConfig, number | undefined]>([
  [{}, undefined],
  [{ ports: ["8080"] }, 8080],
  [{ ports: ["8000-8099:3000/tcp"] }, 3000],
  [{ ports: [{ container: 9000, host: 80 }] }, 9000],
])("appPort %#", (run, port) => {
  expect(appPort(run)).toBe(port);
});

test.each<[RunConfig, number | undefined, string[]]>([
  [{ env: { A: "1", B: 2, C: null } }, undefined, ["--env", "A=1", "--env", "B=2"]],
  [{ init: true, user: "app" }, undefined, ["--init", "--user", "app"]],
  [
    { health: { http: "/healthz" } },
    8080,
    [
      "--health-cmd",
      "wget -q -O /dev/null http://127.0.0.1:8080/healthz",
      "--health-interval",
      "1s",
      "--health-retries",
      "30",
    ],
  ],
  [
    { health: { tcp: true, port: 9000, retries: 5, timeout: "2s" } },
    8080,
    [
      "--health-cmd",
      "nc -z 127.0.0.1 9000",
      "--health-interval",
      "1s",
      "--health-retries",
      "5",
      "--health-timeout",
      "2000ms",
    ],
  ],
  [
    { health: { command: ["test", "-f", "/tmp/ready file"] } },
    undefined,
    ["--health-cmd", "test -f '/tmp/ready file'", "--health-interval", "1s", "--health-retries", "30"],
  ],
  [{ health: { http: "/" } }, undefined, []],
])("runArgs %#", (run, port, expected) => {
  expect(runArgs(run, port)).toEqual(expected);
});

test.each<[RunConfig, string[]]>([
  [{}, []],
  [{ command: ["node", "server.js"] }, ["node", "server.js"]],
  [{ command: "node server.js" }, ["/bin/sh", "-c", "node server.js"]],
  [{ entrypoint: ["tini", "--"], command: ["node"] }, ["--", "node"]],
])("commandArgs %#", (run, expected) => {
  expect(commandArgs(run)).toEqual(expected);
});

describe("smokeRunConfig", () => {
  const config: PowertrainConfig = {
    name: "web",
    run: { ports: ["8080"], env: { LOG: "info", DEBUG: "1" } },
    environments: { ci: { run: { env: { LOG: "debug", DEBUG: null } } }, prod: {} },
  };
  test("overlays the environment on the top-level run", () => {
    expect(smokeRunConfig(config, "ci")).toEqual({ ports: ["8080"], env: { LOG: "debug" } });
  });
  test("ci falls back to the top-level run when not defined", () => {
    expect(smokeRunConfig({ name: "x", run: { instances: 1 } }, "ci")).toEqual({ instances: 1 });
  });
  test("an unknown environment is a usage error listing the known ones", () => {
    expect(() => smokeRunConfig(config, "staging")).toThrow(
      /"staging" is not in powertrain.yml \(known: ci, prod\)/,
    );
  });
});
