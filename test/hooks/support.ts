/**
 * Fixtures for the hook tests: the deploy tests' app (busybox httpd serving its version) with
 * /www/schema a link into the /data volume, so an instance shows what a hook wrote there; the
 * volume's files read back from the host; one-off containers of the app still on the engine.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exec } from "../../packages/core/src/exec/exec";
import { env } from "../deploy/support";
import { buildAndPush, tempDir } from "../support/helpers";

export { env };

/** Build the app at `version` (no /healthz when `healthy` is false) and push it; the pinned reference. */
export async function buildHookApp(
  app: string,
  version: string,
  o: { healthy?: boolean } = {},
): Promise<string> {
  const dir = tempDir("pt-hooks-img-");
  mkdirSync(join(dir, "www"));
  writeFileSync(join(dir, "www", "index.html"), version);
  if (o.healthy !== false) writeFileSync(join(dir, "www", "healthz"), "ok");
  writeFileSync(
    join(dir, "Dockerfile"),
    [
      `FROM ${env.images.busybox}`,
      "COPY www /www",
      "RUN ln -s /data/schema /www/schema",
      'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]',
      "",
    ].join("\n"),
  );
  return buildAndPush(env, dir, `${env.registry.host}/${app}/app:${version}`);
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
