import { dockerRunArgs, instanceLabels, runtimeArgs } from "./run-args";
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

describe("runtimeArgs", () => {
  test.each<[string, Partial<DeployRunConfig>, string[]]>([
    ["nothing set", {}, []],
    [
      "logging",
      { logDriver: "local", logOptions: { "max-size": "10m", "max-file": "3" } },
      ["--log-driver=local", "--log-opt=max-file=3", "--log-opt=max-size=10m"],
    ],
    [
      "extra hosts",
      { extraHosts: { db: "10.0.0.5", gw: "host-gateway" } },
      ["--add-host=db:10.0.0.5", "--add-host=gw:host-gateway"],
    ],
    ["ulimits", { ulimits: { nofile: { soft: 1024, hard: 4096 } } }, ["--ulimit=nofile=1024:4096"]],
    [
      "capabilities: drops before adds",
      { capAdd: ["NET_BIND_SERVICE"], capDrop: ["ALL"] },
      ["--cap-drop=ALL", "--cap-add=NET_BIND_SERVICE"],
    ],
    [
      "read-only root with tmpfs",
      {
        readOnly: true,
        tmpfs: [
          { target: "/tmp", mode: "1777" },
          { target: "/run", sizeBytes: 1024, options: ["noexec"] },
        ],
      },
      ["--read-only", "--tmpfs=/tmp:mode=1777", "--tmpfs=/run:size=1024,noexec"],
    ],
    ["read-only false is no flag", { readOnly: false, noNewPrivileges: false }, []],
    [
      "security",
      { noNewPrivileges: true, securityOpt: ["apparmor=docker-default"], pidsLimit: 100 },
      ["--security-opt=no-new-privileges", "--security-opt=apparmor=docker-default", "--pids-limit=100"],
    ],
    [
      "identity and kernel",
      { workdir: "/srv", hostname: "web-1", dns: ["10.0.0.2"], sysctls: { "net.core.somaxconn": "1024" } },
      ["--workdir=/srv", "--hostname=web-1", "--dns=10.0.0.2", "--sysctl=net.core.somaxconn=1024"],
    ],
  ])("%s", (_name, extra, expected) => {
    expect(runtimeArgs({ ...base, ...extra })).toEqual(expected);
  });

  test("they go before the image, so none of them is taken for the command", () => {
    const args = dockerRunArgs({ ...base, readOnly: true, hostname: "h" }, instance, { image: "img" });
    expect(args.indexOf("--read-only")).toBeLessThan(args.indexOf("img"));
    expect(args.indexOf("--hostname=h")).toBeLessThan(args.indexOf("img"));
  });

  test("a value that looks like a flag stays inside its one argument", () => {
    // The schema refuses such values; were one to slip through, it would still not be a flag.
    const args = runtimeArgs({
      ...base,
      logOptions: { tag: "--privileged" },
      sysctls: { "net.x.y": "--privileged" },
    });
    expect(args).toEqual(["--log-opt=tag=--privileged", "--sysctl=net.x.y=--privileged"]);
    expect(args).not.toContain("--privileged");
  });
});
