/**
 * Fixtures for the hook tests: the deploy tests' app (busybox httpd serving its version) with
 * /www/schema a link into the /data volume, so an instance shows what a hook wrote there; the
 * volume's files read back from the host; one-off containers of the app still on the engine.
 */
import { exec } from "../../packages/core/src/exec/exec";
import { buildApp, env } from "../deploy/support";

export { env };

/** The deploy tests' app with /www/schema a link into the /data volume; the pinned reference. */
export function buildHookApp(app: string, version: string, o: { healthy?: boolean } = {}): Promise<string> {
  return buildApp(app, version, { ...o, run: ["ln -s /data/schema /www/schema"] });
}

/** A file of the named volume, read through a throw-away container; "" when missing. */
export async function volumeFile(volume: string, file: string): Promise<string> {
  const r = await exec(
    "docker",
    ["run", "--rm", "-v", `${volume}:/data`, env.images.busybox, "cat", `/data/${file}`],
    { allowFailure: true },
  );
  return r.exitCode === 0 ? r.stdout : "";
}

/** One-off containers (hooks, powertrain run) of `app` still on the engine, any state. */
export async function oneOffsOf(app: string): Promise<string[]> {
  const r = await exec("docker", ["ps", "-aq", "--filter", `label=dev.powertrain.one-off.app=${app}`]);
  return r.stdout.split("\n").filter(Boolean);
}

export async function removeVolume(volume: string): Promise<void> {
  await exec("docker", ["volume", "rm", "-f", volume], { allowFailure: true });
}
