import type { DeployRunConfig } from "../deploy/types";
import { createArgs, desiredService, updateArgs } from "./spec";
import { parseCurrentRuntime } from "./spec-runtime";

const digest = `sha256:${"b".repeat(64)}`;
const image = `127.0.0.1:5000/app:v2@${digest}`;
const base: DeployRunConfig = {
  instances: 1,
  ports: [],
  env: {},
  volumes: [],
  labels: {},
  stopTimeoutMs: 10_000,
  init: true,
  restart: "unless-stopped",
};

function service(extra: Partial<DeployRunConfig>) {
  return desiredService({
    environment: {
      name: "prod",
      app: "shop",
      hosts: [],
      deploy: { strategy: "rolling", maxParallel: 1, keep: 1, healthTimeoutMs: 1000, lockTimeoutMs: 1000 },
      run: { ...base, ...extra },
    },
    image,
    version: "v2",
    digest,
    deployId: "d1",
    env: {},
    secrets: [],
  }).service;
}

describe("run's runtime options on a Swarm service", () => {
  test.each<[string, Partial<DeployRunConfig>, string[]]>([
    ["read-only root", { readOnly: true }, ["--read-only=true"]],
    [
      "capabilities",
      { capDrop: ["ALL"], capAdd: ["NET_BIND_SERVICE"] },
      ["--cap-add=NET_BIND_SERVICE", "--cap-drop=ALL"],
    ],
    ["hostname and workdir", { hostname: "web", workdir: "/srv" }, ["--hostname=web", "--workdir=/srv"]],
    [
      "dns and extra hosts",
      { dns: ["10.0.0.2"], extraHosts: { db: "10.0.0.5" } },
      ["--dns=10.0.0.2", "--host=db:10.0.0.5"],
    ],
    ["sysctls", { sysctls: { "net.core.somaxconn": "1024" } }, ["--sysctl=net.core.somaxconn=1024"]],
    ["ulimits", { ulimits: { nofile: { soft: 1024, hard: 2048 } } }, ["--ulimit=nofile=1024:2048"]],
    [
      "logging",
      { logDriver: "local", logOptions: { "max-size": "5m" } },
      ["--log-driver=local", "--log-opt=max-size=5m"],
    ],
    ["pids", { pidsLimit: 50 }, ["--limit-pids=50"]],
    [
      "tmpfs as a mount",
      { tmpfs: [{ target: "/tmp", sizeBytes: 1024, mode: "1777" }] },
      ["--mount", "type=tmpfs,target=/tmp,tmpfs-size=1024,tmpfs-mode=1777"],
    ],
  ])("create: %s", (_name, extra, expected) => {
    const args = createArgs(service(extra), { registryAuth: false });
    for (let i = 0; i < expected.length; i++) expect(args).toContain(expected[i]);
    expect(args.indexOf(expected[0]!)).toBeLessThan(args.indexOf(image));
  });

  test.each<[string, Partial<DeployRunConfig>, string]>([
    [
      "no-new-privileges",
      { noNewPrivileges: true },
      "run.no-new-privileges: Swarm services cannot set no-new-privileges",
    ],
    [
      "hardened names itself and the way out",
      { hardened: true, noNewPrivileges: true, readOnly: true },
      "run.hardened: ",
    ],
    [
      "security-opt",
      { securityOpt: ["apparmor=x"] },
      "run.security-opt: Swarm services take no --security-opt",
    ],
    [
      "tmpfs flags",
      { tmpfs: [{ target: "/tmp", options: ["noexec"] }] },
      "run.tmpfs: /tmp: Swarm's tmpfs mounts take only size and mode",
    ],
  ])("refused: %s", (_name, extra, message) => {
    expect(() => service(extra)).toThrow(message);
  });

  test("hardened with no-new-privileges: false runs on Swarm with the rest", () => {
    const args = createArgs(
      service({
        hardened: true,
        readOnly: true,
        capDrop: ["ALL"],
        noNewPrivileges: false,
        tmpfs: [{ target: "/tmp", mode: "1777" }],
      }),
      { registryAuth: false },
    );
    expect(args).toEqual(
      expect.arrayContaining([
        "--read-only=true",
        "--cap-drop=ALL",
        "type=tmpfs,target=/tmp,tmpfs-mode=1777",
      ]),
    );
  });

  test("update: capabilities are reset and set again, the lists lose only what is gone", () => {
    const current = parseCurrentRuntime({
      DNSConfig: { Nameservers: ["10.0.0.1", "10.0.0.2"] },
      Hosts: ["10.0.0.5 db", "10.0.0.6 cache"],
      Sysctls: { "net.core.somaxconn": "1", "net.ipv4.tcp_syncookies": "1" },
      Ulimits: [
        { Name: "nofile", Soft: 1, Hard: 1 },
        { Name: "nproc", Soft: 1, Hard: 1 },
      ],
    });
    expect(current.hosts).toEqual(["db:10.0.0.5", "cache:10.0.0.6"]);
    const args = updateArgs(
      {
        envNames: [],
        labels: {},
        containerLabels: {},
        secrets: [],
        ports: [],
        mountTargets: ["/tmp"],
        constraints: [],
        runtime: current,
      },
      service({
        capAdd: ["CHOWN"],
        dns: ["10.0.0.2", "10.0.0.3"],
        extraHosts: { db: "10.0.0.5" },
        sysctls: { "net.core.somaxconn": "1024" },
        ulimits: { nofile: { soft: 10, hard: 20 } },
      }),
      { registryAuth: false },
    );
    const reset = args.indexOf("--cap-add=RESET");
    expect(reset).toBeGreaterThan(0);
    expect(args.indexOf("--cap-add=CHOWN")).toBeGreaterThan(reset);
    expect(args).toEqual(
      expect.arrayContaining([
        "--dns-rm=10.0.0.1",
        "--dns-add=10.0.0.3",
        "--host-rm=cache:10.0.0.6",
        "--sysctl-rm=net.ipv4.tcp_syncookies",
        "--sysctl-add=net.core.somaxconn=1024",
        "--ulimit-rm=nproc",
        "--ulimit-add=nofile=10:20",
        "--read-only=false",
        "--mount-rm",
      ]),
    );
    expect(args).not.toContain("--dns-add=10.0.0.2");
    expect(args).not.toContain("--host-add=db:10.0.0.5");
  });
});
