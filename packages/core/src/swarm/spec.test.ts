import { LABEL } from "../deploy/labels";
import type { DeployRunConfig } from "../deploy/types";
import {
  type CurrentSpec,
  createArgs,
  desiredService,
  healthCheck,
  restartPolicy,
  SPEC_LABEL,
  type SwarmEnvironment,
  updateArgs,
} from "./spec";

const digest = `sha256:${"a".repeat(64)}`;
const image = `127.0.0.1:5000/app:v2@${digest}`;

function run(extra: Partial<DeployRunConfig> = {}): DeployRunConfig {
  return {
    instances: 3,
    ports: [{ container: 8080, host: { from: 80, to: 80 }, protocol: "tcp" }],
    env: {},
    volumes: [],
    labels: {},
    stopTimeoutMs: 10_000,
    init: true,
    restart: "unless-stopped",
    ...extra,
  };
}

function environment(r = run(), swarm: SwarmEnvironment["deploy"]["swarm"] = {}): SwarmEnvironment {
  return {
    name: "prod",
    app: "shop",
    hosts: [],
    deploy: {
      strategy: "rolling",
      maxParallel: 1,
      keep: 1,
      healthTimeoutMs: 1000,
      lockTimeoutMs: 1000,
      swarm,
    },
    run: r,
  };
}

function desired(
  r = run(),
  swarm: SwarmEnvironment["deploy"]["swarm"] = {},
  env: Record<string, string> = {},
) {
  return desiredService({
    environment: environment(r, swarm),
    image,
    version: "v2",
    digest,
    deployId: "d1",
    env,
    secrets: [],
  });
}

const after = (args: string[], flag: string) => args.flatMap((a, i) => (args[i - 1] === flag ? [a] : []));

test.each([
  ["unless-stopped", { condition: "any", maxAttempts: 0 }],
  ["always", { condition: "any", maxAttempts: 0 }],
  ["no", { condition: "none", maxAttempts: 0 }],
  ["on-failure", { condition: "on-failure", maxAttempts: 0 }],
  ["on-failure:5", { condition: "on-failure", maxAttempts: 5 }],
])("restart %s → %j", (restart, expected) => {
  expect(restartPolicy(restart)).toEqual(expected);
});

test.each([
  [
    { http: "/healthz" },
    "wget -q -O /dev/null http://127.0.0.1:8080/healthz || curl -fsS -o /dev/null http://127.0.0.1:8080/healthz",
  ],
  [
    { http: "/a b", port: 9000 },
    "wget -q -O /dev/null 'http://127.0.0.1:9000/a b' || curl -fsS -o /dev/null 'http://127.0.0.1:9000/a b'",
  ],
  [{ tcp: true }, "nc -z 127.0.0.1 8080"],
  [{ command: ["pg_isready", "-h", "it's"] }, "pg_isready -h 'it'\\''s'"],
])("health %j runs in the task as %s", (health, cmd) => {
  expect(healthCheck(run({ health }))?.cmd).toBe(cmd);
});

test("the service: replicas, our labels on service and tasks, update and rollback policies", () => {
  const { service } = desired(run({ labels: { team: "a" }, memory: 1024, cpus: 0.5 }), {
    constraints: ["node.role==worker"],
  });
  expect(service).toMatchObject({
    name: "shop-prod",
    replicas: 3,
    ports: [{ target: 8080, published: 80, protocol: "tcp", mode: "ingress" }],
    update: { order: "start-first", failureAction: "rollback", parallelism: 1, monitorMs: 5000 },
    rollback: { order: "start-first", failureAction: "pause" },
    constraints: ["node.role==worker"],
  });
  expect(service.labels).toMatchObject({
    [LABEL.app]: "shop",
    [LABEL.version]: "v2",
    [LABEL.digest]: digest,
  });
  expect(service.containerLabels).toMatchObject({
    team: "a",
    [LABEL.environment]: "prod",
    [LABEL.deployId]: "d1",
  });
  const args = createArgs(service, { registryAuth: true });
  expect(args.slice(0, 5)).toEqual(["service", "create", "--detach", "--name", "shop-prod"]);
  expect(args).toContain("--with-registry-auth");
  expect(after(args, "--limit-memory")).toEqual(["1024"]);
  expect(after(args, "--publish")).toEqual(["mode=ingress,target=8080,published=80,protocol=tcp"]);
  expect(after(args, "--update-order")).toEqual(["start-first"]);
  expect(after(args, "--update-failure-action")).toEqual(["rollback"]);
  expect(args.at(-1)).toBe(image);
});

test.each([
  ["ingress", { from: 80, to: 80 }, { published: 80 }],
  ["host", { from: 80, to: 80 }, { published: 80 }],
  ["host", { from: 21100, to: 21199 }, {}],
] as const)("publish %s with host ports %j", (publish, host, expected) => {
  const { service } = desired(run({ ports: [{ container: 8080, host, protocol: "tcp" }] }), { publish });
  expect(service.ports).toEqual([{ target: 8080, protocol: "tcp", mode: publish, ...expected }]);
});

test("a port range cannot be published on the routing mesh: one clear line", () => {
  expect(() =>
    desired(run({ ports: [{ container: 8080, host: { from: 1, to: 5 }, protocol: "tcp" }] })),
  ).toThrow(/run\.ports: 1-5:8080: Swarm's routing mesh publishes one port per mapping/);
});

test("a fixed host-mode port with start-first warns", () => {
  expect(desired(run(), { publish: "host" }).warnings).toEqual([
    expect.stringMatching(/cannot bind the port/),
  ]);
  expect(desired(run(), { publish: "host", order: "stop-first" }).warnings).toEqual([]);
});

test("env values never appear in the arguments; the docker client's own variables do", () => {
  const { service } = desired(run(), {}, { TOKEN: "s3cret", DOCKER_HOST: "tcp://x" });
  const args = createArgs(service, { registryAuth: false });
  expect(args.join(" ")).not.toContain("s3cret");
  expect(after(args, "--env")).toEqual(["DOCKER_HOST=tcp://x", "TOKEN"]);
});

test("secrets become mounts plus <VAR>_FILE", () => {
  const { service } = desiredService({
    environment: environment(),
    image,
    version: "v2",
    digest,
    deployId: "d1",
    env: {},
    secrets: [{ name: "shop-prod-token-abc", target: "TOKEN" }],
  });
  expect(service.env).toEqual({ TOKEN_FILE: "/run/secrets/TOKEN" });
  expect(after(createArgs(service, { registryAuth: false }), "--secret")).toEqual([
    "source=shop-prod-token-abc,target=TOKEN",
  ]);
});

test("the spec hash ignores the deploy id and follows every other change", () => {
  const a = desired().service.labels[SPEC_LABEL];
  const b = desiredService({
    environment: environment(),
    image,
    version: "v2",
    digest,
    deployId: "other",
    env: {},
    secrets: [],
  }).service.labels[SPEC_LABEL];
  const c = desired(run({ instances: 4 })).service.labels[SPEC_LABEL];
  expect(a).toBe(b);
  expect(a).not.toBe(c);
});

const current: CurrentSpec = {
  envNames: ["OLD", "KEEP"],
  labels: { [LABEL.app]: "shop", stale: "1" },
  containerLabels: { gone: "x" },
  secrets: ["shop-prod-token-old"],
  ports: [
    { target: 8080, published: 80, protocol: "tcp", mode: "ingress" },
    { target: 9090, published: 90, protocol: "tcp", mode: "ingress" },
  ],
  mountTargets: ["/old", "/data"],
  constraints: ["node.role==manager"],
};

test.each([
  ["--env-rm", ["OLD"]],
  ["--env-add", ["KEEP"]],
  ["--label-rm", ["stale"]],
  ["--container-label-rm", ["gone"]],
  ["--secret-rm", ["shop-prod-token-old"]],
  ["--secret-add", ["source=shop-prod-token-new,target=TOKEN"]],
  ["--publish-rm", ["target=9090,protocol=tcp,mode=ingress"]],
  ["--publish-add", []],
  ["--mount-rm", ["/old"]],
  ["--mount-add", ["type=volume,source=cache,target=/data"]],
  ["--constraint-rm", ["node.role==manager"]],
  ["--constraint-add", ["node.role==worker"]],
  ["--image", [image]],
])("update: %s %j (docker applies adds before removes: only what is gone is removed)", (flag, values) => {
  const { service } = desiredService({
    environment: environment(run({ volumes: [{ source: "cache", target: "/data", readOnly: false }] }), {
      constraints: ["node.role==worker"],
    }),
    image,
    version: "v2",
    digest,
    deployId: "d1",
    env: { KEEP: "1" },
    secrets: [{ name: "shop-prod-token-new", target: "TOKEN" }],
  });
  const args = updateArgs(current, service, { registryAuth: false });
  expect(after(args, flag).filter((v) => flag !== "--env-add" || v !== "TOKEN_FILE")).toEqual(values);
  expect(args.at(-1)).toBe("shop-prod");
});

test("update: a changed published port of the same target is refused with what to do", () => {
  const { service } = desired(
    run({ ports: [{ container: 8080, host: { from: 81, to: 81 }, protocol: "tcp" }] }),
  );
  expect(() => updateArgs(current, service, { registryAuth: false })).toThrow(
    /port 8080\/tcp is published on 80, the configuration says 81.*docker service rm shop-prod/,
  );
});
