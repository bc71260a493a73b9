import { dockerRunArgs, instanceLabels } from "./run-args";
import type { DeployRunConfig } from "./types";

const base: DeployRunConfig = {
  instances: 1,
  ports: [{ container: 8080, host: { from: 18000, to: 18009 }, protocol: "tcp" }],
  env: { SECRET: "hunter2", MULTI: "a\nb" },
  volumes: [],
  labels: {},
  stopTimeoutMs: 10_000,
  init: false,
  restart: "no",
};
const instance = { name: "app-prod-abc-1-x", hostPorts: [18001], labels: { "dev.powertrain.app": "app" } };

describe("dockerRunArgs", () => {
  test("env values never appear in the arguments", () => {
    const args = dockerRunArgs(base, instance, { image: "r/app@sha256:1" });
    expect(args.join(" ")).not.toContain("hunter2");
    expect(args).toEqual(expect.arrayContaining(["--env-file", "/dev/stdin", "-e", "MULTI"]));
    expect(args).not.toContain("SECRET");
  });

  test.each<[string, Partial<DeployRunConfig>, string[]]>([
    [
      "init and signal",
      { init: true, stopSignal: "SIGINT", stopTimeoutMs: 2500 },
      ["--init", "--stop-signal", "SIGINT", "--stop-timeout", "3"],
    ],
    ["restart", { restart: "on-failure:3" }, ["--restart", "on-failure:3"]],
    ["limits", { memory: 134217728, cpus: 0.5 }, ["--memory", "134217728b", "--cpus", "0.5"]],
    [
      "user and network",
      { user: "1000:1000", network: "backend" },
      ["--user", "1000:1000", "--network", "backend"],
    ],
    ["volumes", { volumes: [{ source: "data", target: "/data", readOnly: true }] }, ["-v", "data:/data:ro"]],
    ["udp without host port", { ports: [{ container: 53, protocol: "udp" }] }, ["--expose", "53/udp"]],
  ])("%s", (_name, extra, expected) => {
    const args = dockerRunArgs(
      { ...base, ...extra },
      { ...instance, hostPorts: [undefined] },
      { image: "img" },
    );
    const at = args.indexOf(expected[0]!);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(args.slice(at, at + expected.length)).toEqual(expected);
  });

  test("published port with a bind address", () => {
    const args = dockerRunArgs(base, instance, { image: "img", bindAddress: "127.0.0.1" });
    expect(args).toEqual(expect.arrayContaining(["-p", "127.0.0.1:18001:8080"]));
  });

  test("entrypoint list: first is --entrypoint, the rest precede the command after the image", () => {
    const args = dockerRunArgs(
      { ...base, entrypoint: ["node", "--enable-x"], command: ["server.js"] },
      instance,
      {
        image: "img",
      },
    );
    expect(args.slice(args.indexOf("--entrypoint"), args.indexOf("--entrypoint") + 2)).toEqual([
      "--entrypoint",
      "node",
    ]);
    expect(args.slice(-3)).toEqual(["img", "--enable-x", "server.js"]);
  });
});

describe("instanceLabels", () => {
  test("each instance's discovery label carries its own port", () => {
    const o = {
      app: "a",
      environment: "e",
      version: "1",
      digest: "sha256:d",
      image: "i",
      deployId: "x",
      host: "h",
    };
    expect(instanceLabels({ ...o, port: 18001 })["dev.powertrain.discovery"]).toBe("h:18001:a:1");
    expect(instanceLabels({ ...o, port: 18002 })["dev.powertrain.discovery"]).toBe("h:18002:a:1");
    expect(instanceLabels(o)["dev.powertrain.discovery"]).toBeUndefined();
  });
});
