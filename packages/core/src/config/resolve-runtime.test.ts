import { ConfigError } from "../errors";
import { explainRuntime } from "./describe";
import { parseConfig } from "./load";
import { resolveEnvironment } from "./resolve";
import { parseResolvedDocument, toResolvedDocument } from "./resolved";

const run = (yaml: string, env?: string) =>
  resolveEnvironment(parseConfig(`name: app\n${yaml}`, "powertrain.yml"), env).run;

describe("run's runtime options", () => {
  test.each<[string, string, Record<string, unknown>]>([
    [
      "logging",
      "run: { log-driver: local, log-options: { max-size: 10m, max-file: 3 } }",
      { logDriver: "local", logOptions: { "max-size": "10m", "max-file": "3" } },
    ],
    [
      "extra hosts",
      "run: { extra-hosts: { db.internal: 10.0.0.5, gw: host-gateway } }",
      { extraHosts: { "db.internal": "10.0.0.5", gw: "host-gateway" } },
    ],
    [
      "ulimits in three forms",
      'run: { ulimits: { nofile: "1024:4096", nproc: 512, core: { soft: 0, hard: -1 } } }',
      {
        ulimits: {
          nofile: { soft: 1024, hard: 4096 },
          nproc: { soft: 512, hard: 512 },
          core: { soft: 0, hard: -1 },
        },
      },
    ],
    [
      "capabilities",
      "run: { cap-add: [NET_BIND_SERVICE], cap-drop: [ALL, ALL] }",
      { capAdd: ["NET_BIND_SERVICE"], capDrop: ["ALL"] },
    ],
    [
      "tmpfs short and long",
      'run: { read-only: true, tmpfs: ["/run:size=16m,mode=0755,noexec", { target: /cache, size: 1MiB, options: [nosuid] }] }',
      {
        readOnly: true,
        tmpfs: [
          { target: "/run", sizeBytes: 16 * 1024 * 1024, mode: "0755", options: ["noexec"] },
          { target: "/cache", sizeBytes: 1024 * 1024, options: ["nosuid"] },
        ],
      },
    ],
    [
      "security",
      'run: { no-new-privileges: true, security-opt: ["seccomp=/etc/docker/seccomp.json", "apparmor=docker-default"], pids-limit: 200 }',
      {
        noNewPrivileges: true,
        securityOpt: ["seccomp=/etc/docker/seccomp.json", "apparmor=docker-default"],
        pidsLimit: 200,
      },
    ],
    [
      "identity and kernel",
      "run: { workdir: /srv/app, hostname: web-1, dns: [10.0.0.2, '::1'], sysctls: { net.core.somaxconn: 1024 } }",
      {
        workdir: "/srv/app",
        hostname: "web-1",
        dns: ["10.0.0.2", "::1"],
        sysctls: { "net.core.somaxconn": "1024" },
      },
    ],
  ])("%s", (_name, yaml, expected) => {
    expect(run(yaml)).toMatchObject(expected);
  });

  test("hardened stands for read-only root, cap-drop ALL, no-new-privileges and a /tmp tmpfs", () => {
    const r = run("run: { hardened: true }");
    expect(r).toMatchObject({
      hardened: true,
      readOnly: true,
      capDrop: ["ALL"],
      noNewPrivileges: true,
      tmpfs: [{ target: "/tmp", mode: "1777" }],
    });
  });

  test("explicit keys override or extend hardened, also from an environment overlay", () => {
    const r = run(
      `run: { hardened: true, cap-add: [NET_BIND_SERVICE], tmpfs: ["/tmp:size=64m", /run] }
environments:
  dev: { run: { read-only: false, no-new-privileges: false, cap-drop: [NET_RAW] } }`,
      "dev",
    );
    expect(r.readOnly).toBe(false);
    expect(r.noNewPrivileges).toBe(false);
    expect(r.capDrop).toEqual(["ALL", "NET_RAW"]);
    expect(r.capAdd).toEqual(["NET_BIND_SERVICE"]);
    // The configured /tmp replaces hardened's; other mounts are added to it.
    expect(r.tmpfs).toEqual([{ target: "/tmp", sizeBytes: 64 * 1024 * 1024 }, { target: "/run" }]);
  });

  test("without runtime options the resolved run names none of them", () => {
    expect(Object.keys(run("run: { instances: 2 }")).sort()).toEqual(
      ["env", "init", "instances", "labels", "ports", "restart", "stopTimeoutMs", "volumes"].sort(),
    );
  });

  // Hostile or mistaken values: refused with the key named, never passed on as a flag.
  test.each([
    ["hostname: --privileged", "run.hostname"],
    ["workdir: --privileged", "run.workdir"],
    ["log-driver: --privileged", "run.log-driver"],
    ['security-opt: ["--privileged"]', "run.security-opt.0"],
    ['security-opt: ["seccomp=-x"]', "run.security-opt.0"],
    ['cap-add: ["--privileged"]', "run.cap-add.0"],
    ["cap-add: [NET_ADMN]", "run.cap-add.0"],
    ['dns: ["--privileged"]', "run.dns.0"],
    ['tmpfs: ["/tmp --privileged"]', "run.tmpfs.0"],
    ['tmpfs: ["/tmp:size=1m,exec=yes"]', "run.tmpfs.0"],
    ['extra-hosts: { "--privileged": 1.2.3.4 }', "run.extra-hosts.--privileged"],
    ['extra-hosts: { db: "1.2.3.4 --privileged" }', "run.extra-hosts.db"],
    ['log-options: { max-size: "1m\\n--privileged" }', "run.log-options.max-size"],
    ['sysctls: { "--privileged": 1 }', "run.sysctls.--privileged"],
    ["ulimits: { nofiles: 10 }", "run.ulimits.nofiles"],
    ["pids-limit: 0", "run.pids-limit"],
  ])("refuses %s", (yaml, path) => {
    let error: unknown;
    try {
      run(`run: { ${yaml} }`);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(path);
  });

  test("a resolved document with a hostile runtime value is refused by the contract", () => {
    const env = resolveEnvironment(parseConfig("name: app\nrun: { hardened: true }\n", "powertrain.yml"));
    const good = JSON.stringify(toResolvedDocument(env));
    expect(parseResolvedDocument(good, "input config").run.readOnly).toBe(true);
    for (const [key, value] of [
      ["hostname", "--privileged"],
      ["securityOpt", ["--privileged"]],
      ["capDrop", ["--privileged"]],
      ["logOptions", { "max-size": "1\n--privileged" }],
      ["tmpfs", [{ target: "/tmp --privileged" }]],
    ] as const) {
      const doc = JSON.parse(good);
      doc.run[key] = value;
      expect(() => parseResolvedDocument(JSON.stringify(doc), "input config")).toThrow(`run.${key}`);
    }
  });
});

describe("explainRuntime", () => {
  test("validate says what each option does", () => {
    const rows = Object.fromEntries(
      explainRuntime(
        run("run: { hardened: true, pids-limit: 50, extra-hosts: { db: 10.0.0.5 }, log-driver: local }"),
      ),
    );
    expect(rows).toMatchObject({
      hardened: "read-only root, all capabilities dropped, no-new-privileges, /tmp in memory",
      "read-only": expect.stringContaining("read-only"),
      "cap-drop": "every Linux capability dropped",
      tmpfs: expect.stringContaining("/tmp in memory"),
      "pids-limit": "at most 50 processes",
      "extra-hosts": "in /etc/hosts: db → 10.0.0.5",
      "log-driver": "local",
    });
    expect(explainRuntime(run("run: { instances: 2 }"))).toEqual([]);
  });
});
