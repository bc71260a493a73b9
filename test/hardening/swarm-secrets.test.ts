/**
 * Swarm secret naming against the local swarm: secrets created as planSecretMounts plans them
 * are named by the deploy id, their labels hold a keyed digest (never the unsalted SHA-256 the
 * old names printed), and listing them back with SECRET_LIST_FORMAT lets the next deploy of the
 * same value reuse the secret while a changed value gets a new one.
 */
import { createHash } from "node:crypto";
import { exec } from "../../packages/core/src/exec/exec";
import {
  newSecretKey,
  type PlannedSecret,
  parseSecretList,
  planSecretMounts,
  SECRET_LIST_FORMAT,
  secretName,
} from "../../packages/core/src/swarm/secrets";
import { SECRET_SERVICE_LABEL } from "../../packages/core/src/swarm/spec";
import { uniqueName } from "../support/helpers";

jest.setTimeout(60_000);

const service = uniqueName("pt-hardening-secrets");
const key = newSecretKey();
const VALUE = "Summer2024!";

async function create(planned: PlannedSecret[], value: (target: string) => string): Promise<void> {
  for (const p of planned.filter((x) => x.create)) {
    const labels = { ...p.labels, [SECRET_SERVICE_LABEL]: service };
    const args = Object.entries(labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
    await exec("docker", ["secret", "create", ...args, p.name, "-"], { input: value(p.target) });
  }
}

async function listed() {
  const r = await exec("docker", [
    "secret",
    "ls",
    "--filter",
    `label=${SECRET_SERVICE_LABEL}=${service}`,
    "--format",
    SECRET_LIST_FORMAT,
  ]);
  return parseSecretList(r.stdout);
}

beforeAll(async () => {
  const state = await exec("docker", ["info", "--format", "{{.Swarm.LocalNodeState}}"]);
  if (state.stdout.trim() !== "active")
    throw new Error("the local dockerd is not a swarm — run ./scripts/setup");
});

afterAll(async () => {
  const names = (await listed().catch(() => [])).map((s) => s.name);
  if (names.length > 0) await exec("docker", ["secret", "rm", ...names], { allowFailure: true });
});

test("named by deploy id, keyed digest in a label, reused while the value stays", async () => {
  expect(secretName(service, "DB_PASSWORD", "20261201T000000Z-aaaaaa")).toMatch(/-20261201t000000z-aaaaaa$/);
  const first = planSecretMounts(
    service,
    { DB_PASSWORD: VALUE },
    { deployId: "20261201T000000Z-aaaaaa", key },
  );
  await create(first, () => VALUE);
  const after1 = await listed();
  expect(after1).toEqual([
    {
      name: secretName(service, "DB_PASSWORD", "20261201T000000Z-aaaaaa"),
      variable: "DB_PASSWORD",
      digest: first[0]!.digest,
    },
  ]);
  const inspect = (await exec("docker", ["secret", "inspect", after1[0]!.name])).stdout;
  const unsalted = createHash("sha256").update(VALUE).digest("hex");
  expect(inspect).not.toContain(unsalted.slice(0, 12));

  const again = planSecretMounts(
    service,
    { DB_PASSWORD: VALUE },
    { deployId: "20261201T010000Z-bbbbbb", key, existing: after1 },
  );
  expect(again.map((p) => ({ name: p.name, create: p.create }))).toEqual([
    { name: after1[0]!.name, create: false },
  ]);

  const changed = planSecretMounts(
    service,
    { DB_PASSWORD: "Winter2025!" },
    {
      deployId: "20261201T020000Z-cccccc",
      key,
      existing: after1,
    },
  );
  await create(changed, () => "Winter2025!");
  expect((await listed()).map((s) => s.name).sort()).toEqual([
    secretName(service, "DB_PASSWORD", "20261201T000000Z-aaaaaa"),
    secretName(service, "DB_PASSWORD", "20261201T020000Z-cccccc"),
  ]);
});
