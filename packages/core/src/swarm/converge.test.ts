import { type ConvergeGoal, judge, progressLines } from "./converge";
import type { ObservedService, ObservedTask, SwarmObservation } from "./observe";

const NEW = `sha256:${"b".repeat(64)}`;
const OLD = `sha256:${"a".repeat(64)}`;

const service = (state?: string, startedAt = "t2", message?: string): ObservedService => ({
  id: "s",
  name: "shop-prod",
  specVersion: 3,
  image: `app@${NEW}`,
  digest: NEW,
  version: "v2",
  replicas: 2,
  labels: {},
  current: {
    envNames: [],
    labels: {},
    containerLabels: {},
    secrets: [],
    ports: [],
    mountTargets: [],
    constraints: [],
  },
  hasHealthcheck: true,
  ...(state ? { updateStatus: { state, startedAt, ...(message ? { message } : {}) } } : {}),
});

let n = 0;
const task = (
  digest: string,
  state: string,
  desired = "running",
  extra: Partial<ObservedTask> = {},
): ObservedTask => ({
  id: `t${n++}`,
  name: `shop-prod.${(n % 2) + 1}`,
  slot: (n % 2) + 1,
  node: "vm",
  image: `app@${digest}`,
  digest,
  state,
  desiredState: desired,
  timestamp: `2026-01-01T00:00:${String(n).padStart(2, "0")}Z`,
  createdAt: "",
  ports: [],
  ...extra,
});

const goal = (kind: ConvergeGoal["kind"], extra: Partial<ConvergeGoal> = {}): ConvergeGoal => ({
  kind,
  digest: NEW,
  version: "v2",
  replicas: 2,
  statusBefore: "t1",
  tasksBefore: new Set(),
  failLimit: 4,
  ...extra,
});

const obs = (s: ObservedService | undefined, tasks: ObservedTask[]): SwarmObservation =>
  s ? { service: s, tasks } : { tasks };
const running2 = () => [task(NEW, "running"), task(NEW, "running")];
const unhealthy = () =>
  task(NEW, "failed", "shutdown", { error: "task: non-zero exit (137): dockerexec: unhealthy container" });

test.each<[string, SwarmObservation, ConvergeGoal, string, RegExp?]>([
  [
    "update in progress",
    obs(service("updating"), [task(OLD, "running"), task(NEW, "starting")]),
    goal("update"),
    "waiting",
  ],
  ["update completed and converged", obs(service("completed"), running2()), goal("update"), "done"],
  [
    "completed, but an old task still shuts down",
    obs(service("completed"), [...running2(), task(OLD, "running")]),
    goal("update"),
    "waiting",
  ],
  [
    "the previous update's status is not ours",
    obs(service("completed", "t1"), [task(OLD, "running"), task(OLD, "running")]),
    goal("update"),
    "waiting",
  ],
  [
    "the CLI's trap: rolled back",
    obs(service("rollback_completed", "t2", "rollback completed"), [
      task(OLD, "running"),
      task(OLD, "running"),
      unhealthy(),
    ]),
    goal("update"),
    "failed",
    /Swarm rolled the update back \(rollback completed\)\n {2}shop-prod\.\d on vm: task: non-zero exit \(137\): dockerexec: unhealthy container/,
  ],
  [
    "rolling back: wait for the end",
    obs(service("rollback_started"), [unhealthy()]),
    goal("update"),
    "waiting",
  ],
  [
    "paused (failure-action pause)",
    obs(service("paused", "t2", "update paused due to failure"), [unhealthy()]),
    goal("update"),
    "failed",
    /Swarm paused the update \(update paused/,
  ],
  [
    "tasks keep failing (failure-action continue)",
    obs(
      service("updating"),
      [1, 2, 3, 4].map(() => unhealthy()),
    ),
    goal("update"),
    "failed",
    /tasks of v2 keep failing \(4 failed\)/,
  ],
  [
    "old failures do not count",
    obs(service("updating"), [task(NEW, "failed", "shutdown", { id: "old" })]),
    goal("update", { failLimit: 1, tasksBefore: new Set(["old"]) }),
    "waiting",
  ],
  ["a new service runs", obs(service(), running2()), goal("create"), "done"],
  [
    "a new service starting",
    obs(service(), [task(NEW, "running"), task(NEW, "starting")]),
    goal("create"),
    "waiting",
  ],
  ["a rollback completed", obs(service("rollback_completed"), running2()), goal("rollback"), "done"],
  [
    "a rollback paused",
    obs(service("rollback_paused"), [unhealthy()]),
    goal("rollback"),
    "failed",
    /Swarm paused the rollback/,
  ],
  ["the service is gone", obs(undefined, []), goal("update"), "failed", /disappeared/],
])("%s", (...row) => {
  // Rows without a reason: jest would hand its done callback to a fifth parameter.
  const [, observation, g, phase, reason] = row as unknown as [
    string,
    SwarmObservation,
    ConvergeGoal,
    string,
    RegExp?,
  ];
  const verdict = judge(observation, g);
  expect(verdict.phase).toBe(phase);
  if (reason) expect(verdict.phase === "failed" && verdict.reason).toMatch(reason);
});

test("progress: a line per task whose state changed, none for old history", () => {
  const seen = new Map<string, string>();
  const old = task(OLD, "shutdown", "shutdown");
  const a = task(NEW, "starting");
  const versionOf = (d: string) => (d === NEW ? "v2" : "v1");
  expect(progressLines([old, a], seen, versionOf)).toEqual([`${a.name} v2 on vm: starting → running`]);
  expect(progressLines([old, a], seen, versionOf)).toEqual([]);
  expect(progressLines([old, { ...a, state: "running" }], seen, versionOf)).toEqual([
    `${a.name} v2 on vm: running`,
  ]);
});
