/** Fixtures for the ops tests: the deploy tests' tiny app, built with the commit and source labels a real build carries. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { env } from "../deploy/support";
import { buildAndPush, tempDir } from "../support/helpers";

export const SOURCE = "https://github.com/example/shop";

/** The app at `version`, labelled as built from `commit`; pushed, returned pinned. */
export async function buildLabelledApp(
  app: string,
  version: string,
  commit: string,
  extra: { padding?: number } = {},
): Promise<string> {
  const dir = tempDir("pt-ops-img-");
  mkdirSync(join(dir, "www"));
  writeFileSync(join(dir, "www", "index.html"), version);
  writeFileSync(join(dir, "www", "healthz"), "ok");
  // Bytes that make one version's image larger than the other's: a size delta to show.
  writeFileSync(join(dir, "www", "padding"), "x".repeat(extra.padding ?? 0));
  writeFileSync(
    join(dir, "Dockerfile"),
    [
      `FROM ${env.images.busybox}`,
      "COPY www /www",
      `LABEL org.opencontainers.image.revision=${commit} org.opencontainers.image.source=${SOURCE} org.opencontainers.image.version=${version}`,
      'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]',
      "",
    ].join("\n"),
  );
  return buildAndPush(env, dir, `${env.registry.host}/${app}/app:${version}`);
}
