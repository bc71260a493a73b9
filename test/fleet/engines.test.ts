import { exec } from "../../packages/core/src/exec/exec";
import { uniqueName } from "../support/helpers";
import { docker, engineId, env, fleet } from "./support";

jest.setTimeout(60_000);

test("every fleet host has its own engine: the engines' IDs differ", async () => {
  const ids = await Promise.all(fleet.hosts.map(engineId));
  expect(ids.every((id) => /^[A-Z0-9]{4}(:[A-Z0-9]{4}){11}$/.test(id))).toBe(true);
  expect(new Set(ids).size).toBe(fleet.hosts.length);
  const local = (await exec("docker", ["info", "--format", "{{.ID}}"])).stdout.trim();
  expect(ids).not.toContain(local);
});

test.each(fleet.hosts.slice(0, 4).map((h, i) => [i + 1, h] as const))(
  "host %i: its deploy user's `ssh host docker` reaches that host's engine, and only it",
  async (_n, h) => {
    const ssh = [
      "-F",
      "/dev/null",
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      `UserKnownHostsFile=${fleet.knownHosts}`,
      "-i",
      env.ssh.key,
      "-p",
      String(h.port),
      `${h.user}@${h.host}`,
    ];
    const viaSsh = await exec("ssh", [...ssh, "docker", "info", "--format", "'{{.ID}}'"]);
    expect(viaSsh.stdout.trim()).toBe(await engineId(h));
    const other = fleet.hosts.find((x) => x !== h)!;
    const denied = await exec("ssh", [...ssh, "docker", "-H", other.socket, "ps"], { allowFailure: true });
    expect(denied.exitCode).not.toBe(0);
    expect(denied.stderr).toMatch(/permission denied/);
  },
);

test("a container on one host is not seen by another host's engine", async () => {
  const [a, b] = fleet.hosts as [(typeof fleet.hosts)[0], (typeof fleet.hosts)[0]];
  const name = uniqueName("pt-fleet-probe");
  const image = env.images.busybox;
  // The busybox base image is local to the runner's engine only: the fleet engines get images
  // from the registry, so this one is made with `docker load` from the runner's engine.
  const save = await exec("sh", ["-c", 'docker save "$1" | docker -H "$2" load -q', "sh", image, a.socket]);
  expect(save.exitCode).toBe(0);
  try {
    await docker(a, [
      "run",
      "-d",
      "--name",
      name,
      "--label",
      "dev.powertrain.test=fleet",
      image,
      "sleep",
      "60",
    ]);
    expect((await docker(a, ["ps", "-q", "--filter", `name=${name}`])).stdout.trim()).not.toBe("");
    expect((await docker(b, ["ps", "-aq", "--filter", `name=${name}`])).stdout.trim()).toBe("");
  } finally {
    await docker(a, ["rm", "-f", name], true);
  }
});
