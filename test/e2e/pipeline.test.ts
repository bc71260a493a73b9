/**
 * The whole pipeline as an application repository runs it, under act, against the real local
 * registry and the Docker host behind the test sshd: the sample app's commit workflow (build with
 * its tests, publish <n>-<sha>, extract-config, ssh-deploy to dev), a second commit rolling dev
 * forward, a promotion of the first version to qa, rollbacks of dev (to a named version, then
 * to the previous one), and a pull request that builds and tests but publishes nothing.
 *
 * The steps build on each other and run in order; each asserts the real outcome — tags and
 * digests in the registry, the digest the running containers were started from, and what they
 * answer over HTTP — never just that act exited 0. act's output is kept in .tmp/e2e-logs/.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { LABEL } from "../../packages/core/src/deploy/labels";
import { exec } from "../../packages/core/src/exec/exec";
import { checkServices, type TestEnv, testEnv } from "../support/env";
import { tempDir, uniqueName } from "../support/helpers";
import {
  type ActOptions,
  type ActRun,
  assertActBuilt,
  preparePowertrainRelease,
  runAct,
  tail,
} from "./support/act";
import { type AppRepo, commit, createAppRepo } from "./support/app-repo";
import {
  fetchPage,
  registryDigest,
  registryTags,
  removeAppContainers,
  removeImagesMatching,
  runningContainers,
} from "./support/observe";

jest.setTimeout(10 * 60_000);

let env: TestEnv;
let app: AppRepo;
let powertrain: string;
/** What each step published, for the steps after it. */
const built: { version: string; digest: string; sha: string }[] = [];

beforeAll(async () => {
  env = testEnv();
  await checkServices(env);
  assertActBuilt();
  powertrain = await preparePowertrainRelease(tempDir("powertrain-release-"));
  app = await createAppRepo(tempDir("powertrain-e2e-"), uniqueName("pt-e2e-renderer"), env);
});

afterAll(async () => {
  if (!app) return;
  await removeAppContainers(app.name);
  await removeImagesMatching(app.name);
});

function act(options: Omit<ActOptions, "repo" | "powertrain">): Promise<ActRun> {
  return runAct(env, { ...options, repo: app.dir, powertrain });
}

function expectSuccess(run: ActRun): void {
  // The tail of act's output names the step that failed and why.
  if (run.exitCode !== 0) throw new Error(`act exited ${run.exitCode} (log: ${run.logFile}):\n${tail(run)}`);
}

function repositoryPath(): string {
  return app.repository.slice(env.registry.host.length + 1);
}

/** Every running container of the environment runs `digest` and answers as `version`. */
async function expectServing(environment: string, digest: string, version: string, instances: number) {
  const containers = await runningContainers(app.name, environment);
  // One comparison of everything that runs, so a failure shows every container.
  const seen = containers.map((c) => ({ name: c.name, image: c.image, digest: c.labels[LABEL.digest] }));
  const want = containers.map((c) => ({ name: c.name, image: `${app.repository}@${digest}`, digest }));
  expect(seen).toEqual(want);
  expect(containers).toHaveLength(instances);
  for (const container of containers) {
    expect({ name: container.name, port: container.port }).toEqual({
      name: container.name,
      port: expect.any(Number),
    });
    expect(await fetchPage(container.port!)).toMatchObject({ version, environment });
  }
  return containers;
}

async function commitRun(
  runNumber: number,
  label: string,
): Promise<{ version: string; digest: string; run: ActRun }> {
  const run = await act({ event: "push", workflow: "commit.yml", runNumber, label });
  expectSuccess(run);
  const head = await headSha();
  const version = `${runNumber}-${head.slice(0, 7)}`;
  const digest = await registryDigest(env, repositoryPath(), version);
  expect({ tag: version, digest }).toEqual({
    tag: version,
    digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
  });
  // The commit-<sha> tag promote.yml resolves commits with points at the same digest.
  expect(await registryDigest(env, repositoryPath(), `commit-${head}`)).toBe(digest);
  built.push({ version, digest: digest!, sha: head });
  return { version, digest: digest!, run };
}

async function headSha(): Promise<string> {
  return (await exec("git", ["rev-parse", "HEAD"], { cwd: app.dir })).stdout.trim();
}

test("1. the commit workflow builds, publishes <n>-<sha> and deploys that digest to dev", async () => {
  const { version, digest, run } = await commitRun(41, "1-commit");
  await expectServing("dev", digest, version, 2);
  // environments.dev.url, "http://{host}:{port}/" — the first host, the first port of dev's range —
  // reached ssh-deploy's url output, which the deploy job's environment links to.
  expect(run.output).toContain("::set-output:: url=http://127.0.0.1:18500/");
});

test("2. a second commit rolls dev forward: the new digest serves, the old containers are gone", async () => {
  expect(built).toHaveLength(1);
  appendFileSync(join(app.dir, "src/render.js"), "\n// second commit\n");
  await commit(app.dir, "second commit");
  const { version, digest } = await commitRun(42, "2-commit");
  expect(digest).not.toBe(built[0]!.digest);
  await expectServing("dev", digest, version, 2);
});

test("3. promoting the first version to qa runs the same digest with the qa run configuration", async () => {
  expect(built).toHaveLength(2);
  const first = built[0]!;
  const run = await act({
    event: "workflow_dispatch",
    workflow: "promote.yml",
    runNumber: 43,
    inputs: { version: first.version, environment: "qa" },
    label: "3-promote-qa",
  });
  expectSuccess(run);
  const containers = await expectServing("qa", first.digest, first.version, 2);
  // qa's own env: its greeting, not dev's.
  expect((await fetchPage(containers[0]!.port!)).message).toBe("hello from qa, world!");
  for (const c of containers) expect(c.port! >= 18520 && c.port! <= 18539).toBe(true);
  // Promotion rebuilt nothing: the registry has no tag for this run.
  expect(await registryDigest(env, repositoryPath(), `43-${first.sha.slice(0, 7)}`)).toBeUndefined();
});

test("4. rolling dev back to a named version redeploys that version's digest", async () => {
  expect(built).toHaveLength(2);
  const run = await act({
    event: "workflow_dispatch",
    workflow: "rollback.yml",
    runNumber: 44,
    inputs: { environment: "dev", version: built[0]!.version },
    label: "4-rollback-dev-to-version",
  });
  expectSuccess(run);
  await expectServing("dev", built[0]!.digest, built[0]!.version, 2);
});

test("5. rolling dev back without a version returns to the one before the current", async () => {
  expect(built).toHaveLength(2);
  const run = await act({
    event: "workflow_dispatch",
    workflow: "rollback.yml",
    runNumber: 45,
    inputs: { environment: "dev" },
    label: "5-rollback-dev-to-previous",
  });
  expectSuccess(run);
  // After step 4 dev runs the first version; the one before it is the second.
  await expectServing("dev", built[1]!.digest, built[1]!.version, 2);
});

test("6. a pull request builds and tests the app, and publishes and deploys nothing (publish: on-push)", async () => {
  expect(built).toHaveLength(2);
  const tagsBefore = await registryTags(env, repositoryPath());
  const before = await runningContainers(app.name, "dev");
  appendFileSync(join(app.dir, "src/render.js"), "\n// a pull request\n");
  await commit(app.dir, "a pull request's commit");
  const run = await act({
    event: "pull_request",
    workflow: "commit.yml",
    runNumber: 46,
    label: "6-pull-request",
  });
  expectSuccess(run);
  // The tests ran in the build (the test stage's summary line), then nothing was pushed.
  expect(run.output).toMatch(/tests: \d+ passed, 0 failed/);
  expect(run.output).toContain("building and testing only, nothing is published (publish: on-push)");
  expect(await registryTags(env, repositoryPath())).toEqual(tagsBefore);
  expect((await runningContainers(app.name, "dev")).map((c) => c.name)).toEqual(before.map((c) => c.name));
});
