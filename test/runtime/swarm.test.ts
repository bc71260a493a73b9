/**
 * run's runtime options and `scale` on the real single-node swarm: what a service spec and its
 * tasks' containers carry, a scale the next deploy keeps, and the clear error for an option
 * Swarm services do not have.
 */
import { exec } from "../../packages/core/src/exec/exec";
import { swarmDeploy, swarmScale } from "../../packages/core/src/swarm";
import { serviceName } from "../../packages/core/src/swarm/spec";
import { buildApp, cleanup, environment, newApp, quiet, registryAuth, runConfig } from "../swarm/support";

jest.setTimeout(240_000);

const app = newApp();
const service = serviceName(app, "test");
const images: string[] = [];

const run = runConfig({
  readOnly: true,
  capDrop: ["ALL"],
  capAdd: ["NET_BIND_SERVICE"],
  tmpfs: [{ target: "/tmp", mode: "1777", sizeBytes: 1048576 }],
  hostname: "swarm-runtime",
  dns: ["10.1.2.53"],
  sysctls: { "net.core.somaxconn": "512" },
  ulimits: { nofile: { soft: 1024, hard: 2048 } },
  logDriver: "json-file",
  logOptions: { "max-size": "1m" },
  pidsLimit: 64,
});
const env = { ...environment(app, run) };
const base = { environment: env, ssh: {}, logger: quiet, registryAuth: registryAuth(), pollMs: 250 };

// biome-ignore lint/suspicious/noExplicitAny: docker inspect JSON
async function inspect(args: string[]): Promise<any> {
  return JSON.parse((await exec("docker", args)).stdout)[0];
}

async function runningTasks(): Promise<string[]> {
  const r = await exec("docker", ["ps", "-q", "--filter", `label=com.docker.swarm.service.name=${service}`]);
  return r.stdout.split("\n").filter(Boolean);
}

afterAll(() => cleanup([service], images));

test("the service spec and its containers carry the options Swarm has", async () => {
  images.push(await buildApp(app, "v1"), await buildApp(app, "v2"));
  await swarmDeploy({ ...base, image: images[0]! });
  const spec = (await inspect(["service", "inspect", service])).Spec;
  const c = spec.TaskTemplate.ContainerSpec;
  expect(c.ReadOnly).toBe(true);
  expect(c.CapabilityDrop).toEqual(["ALL"]);
  expect(c.CapabilityAdd).toEqual(["CAP_NET_BIND_SERVICE"]);
  expect(c.Hostname).toBe("swarm-runtime");
  expect(c.DNSConfig.Nameservers).toEqual(["10.1.2.53"]);
  expect(c.Sysctls).toEqual({ "net.core.somaxconn": "512" });
  expect(c.Mounts).toEqual([
    expect.objectContaining({
      Type: "tmpfs",
      Target: "/tmp",
      TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1777 },
    }),
  ]);
  expect(spec.TaskTemplate.LogDriver).toEqual({ Name: "json-file", Options: { "max-size": "1m" } });
  expect(spec.TaskTemplate.Resources.Limits.Pids).toBe(64);
  const [id] = await runningTasks();
  const hc = (await inspect(["inspect", id!])).HostConfig;
  expect(hc.ReadonlyRootfs).toBe(true);
  expect(hc.CapDrop).toEqual(["ALL"]);
  expect(hc.Ulimits).toEqual([{ Name: "nofile", Soft: 1024, Hard: 2048 }]);
});

test("scale 2→3; the next deploy keeps 3", async () => {
  const [r] = await swarmScale({ ...base, instances: 3 });
  expect(r).toMatchObject({ version: "v1", from: 2, to: 3 });
  expect(r!.instances).toHaveLength(3);
  const report = await swarmDeploy({ ...base, image: images[1]! });
  expect(report.deployed).toHaveLength(3);
  expect((await inspect(["service", "inspect", service])).Spec.Mode.Replicated.Replicas).toBe(3);
});

test("an option Swarm services lack is a clear error naming the key; the service is untouched", async () => {
  const before = (await inspect(["service", "inspect", service])).Version.Index;
  const hardened = { ...env, run: { ...run, hardened: true, noNewPrivileges: true } };
  await expect(swarmDeploy({ ...base, environment: hardened, image: images[0]! })).rejects.toThrow(
    /run\.hardened: Swarm services cannot set no-new-privileges.*run\.no-new-privileges: false/,
  );
  expect((await inspect(["service", "inspect", service])).Version.Index).toBe(before);
});
