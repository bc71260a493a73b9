import { parseSwarmObservation } from "./observe";

const D1 = `sha256:${"1".repeat(64)}`;
const D2 = `sha256:${"2".repeat(64)}`;

const service = {
  ID: "svc1",
  Version: { Index: 42 },
  Spec: {
    Name: "shop-prod",
    Labels: { "dev.powertrain.version": "v2" },
    Mode: { Replicated: { Replicas: 2 } },
    TaskTemplate: {
      ContainerSpec: {
        Image: `reg/shop:v2@${D2}`,
        Env: ["A=1", "TOKEN_FILE=/run/secrets/TOKEN"],
        Labels: { team: "a" },
        Secrets: [{ SecretName: "shop-prod-token-1", File: { Name: "TOKEN" } }],
        Mounts: [{ Target: "/data" }],
        Healthcheck: { Test: ["CMD-SHELL", "true"] },
      },
      Placement: { Constraints: ["node.role==worker"] },
    },
    EndpointSpec: { Ports: [{ Protocol: "tcp", TargetPort: 8080, PublishMode: "host" }] },
  },
  PreviousSpec: { Labels: {}, TaskTemplate: { ContainerSpec: { Image: `reg/shop:v1@${D1}` } } },
  UpdateStatus: { State: "rollback_completed", StartedAt: "t", Message: "rolled back" },
};

const task = {
  ID: "task1",
  ServiceID: "svc1",
  Slot: 1,
  NodeID: "node1",
  DesiredState: "running",
  CreatedAt: "c",
  Spec: { ContainerSpec: { Image: `reg/shop:v2@${D2}` } },
  Status: {
    State: "running",
    Timestamp: "ts",
    PortStatus: {
      Ports: [
        { Protocol: "tcp", TargetPort: 8080, PublishedPort: 32001 },
        { Protocol: "tcp", TargetPort: 8080, PublishedPort: 32002 },
      ],
    },
  },
};

const output = (svc: unknown[], tasks: unknown[]) =>
  `@@service\n${JSON.stringify(svc)}\n@@tasks\n${JSON.stringify(tasks)}\n@@nodes\nnode1 worker-a\n`;

test("a service, its tasks and node names out of one round trip", () => {
  const obs = parseSwarmObservation(
    output([service], [task, { ...task, ID: "other", ServiceID: "elsewhere" }]),
  );
  expect(obs.service).toMatchObject({
    name: "shop-prod",
    specVersion: 42,
    digest: D2,
    version: "v2",
    replicas: 2,
    hasHealthcheck: true,
    updateStatus: { state: "rollback_completed", message: "rolled back" },
    previous: { digest: D1, version: "v1", secrets: [] },
    current: {
      envNames: ["A", "TOKEN_FILE"],
      secrets: ["shop-prod-token-1"],
      ports: [{ target: 8080, protocol: "tcp", mode: "host" }],
      mountTargets: ["/data"],
      constraints: ["node.role==worker"],
    },
  });
  // docker 20.10 lists a dynamic port twice (IPv4, then IPv6 on another port): the first one counts.
  expect(obs.tasks).toEqual([
    expect.objectContaining({
      name: "shop-prod.1",
      node: "worker-a",
      digest: D2,
      state: "running",
      ports: [{ container: 8080, host: 32001, protocol: "tcp" }],
    }),
  ]);
});

test.each([
  ["no service", "@@service\n[]\n@@tasks\n\n@@nodes\n"],
  ["nothing at all", ""],
])("%s → no service, no tasks", (_name, text) => {
  expect(parseSwarmObservation(text)).toEqual({ tasks: [] });
});
