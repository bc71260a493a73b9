/**
 * build.secrets on the BuildKit builders: a secret given by value (the action's `secrets`
 * input) and one from a file reach the test stage's RUN --mount=type=secret, and the value is
 * nowhere afterwards — not in the image, its history or config, not in the test image, not on
 * the docker command line, and masked in the build log even when the step prints it.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runBuild } from "../../packages/core/src/build";
import type { PowertrainConfig } from "../../packages/core/src/config/schema";
import { exec } from "../../packages/core/src/exec/exec";
import { tempDir, uniqueName } from "../support/helpers";
import { builderCases, registryLogin } from "./builders";
import { imageNames, recordingLogger } from "./support";

jest.setTimeout(240_000);

const images = imageNames();
let login: Awaited<ReturnType<typeof registryLogin>>;
beforeAll(async () => {
  login = await registryLogin();
});
afterAll(async () => {
  await images.cleanup();
  await login?.dispose();
});

const sha256 = (s: string) => require("node:crypto").createHash("sha256").update(s).digest("hex") as string;

/** Everything docker keeps of an image: its filesystem (exported), history and inspect output. */
async function imageText(image: string): Promise<string> {
  const created = await exec("docker", ["create", image]);
  const id = created.stdout.trim();
  try {
    const fs = await exec("docker", ["export", id]);
    const history = await exec("docker", ["history", "--no-trunc", "--format", "{{.CreatedBy}}", image]);
    const inspect = await exec("docker", ["image", "inspect", image]);
    return `${fs.stdout}\n${history.stdout}\n${inspect.stdout}`;
  } finally {
    await exec("docker", ["rm", "--force", id], { allowFailure: true });
  }
}

describe.each(builderCases().filter((b) => b.builder.kind !== "classic"))("on the $label builder", (bc) => {
  const token = `tok-${randomBytes(12).toString("hex")}`;
  const npmrc = `//registry.example/:_authToken=${randomBytes(12).toString("hex")}\n`;
  let result: Awaited<ReturnType<typeof runBuild>>;
  let lines: string[];
  let testReports: string;

  beforeAll(async () => {
    const dir = tempDir("pt-build-secrets-");
    writeFileSync(join(dir, "npmrc"), npmrc, { mode: 0o600 });
    writeFileSync(
      join(dir, "Dockerfile"),
      [
        "ARG BASE=powertrain-test/busybox:1",
        "FROM ${BASE} AS test",
        // A variable of its own: the step runs every time (secrets are not part of the cache key,
        // and BuildKit leaves labels out of it too).
        `ENV PT_TEST_RUN=${uniqueName("secrets")}`,
        "RUN --mount=type=secret,id=token,required=true --mount=type=secret,id=npmrc,required=true \\",
        "    mkdir -p /reports && \\",
        "    sha256sum /run/secrets/token | cut -c1-64 > /reports/token.sha && \\",
        "    sha256sum /run/secrets/npmrc | cut -c1-64 > /reports/npmrc.sha && \\",
        '    echo "the token is $(cat /run/secrets/token)" && echo 0 > /reports/status',
        "FROM ${BASE} AS final",
        "USER 65534",
        "",
      ].join("\n"),
    );
    const config: PowertrainConfig = {
      name: "pt-build-secrets",
      build: { target: "final", "test-target": "test", secrets: [{ id: "npmrc", file: "npmrc" }] },
    };
    const configFile = join(dir, "powertrain.yml");
    writeFileSync(configFile, JSON.stringify(config));
    const image = images.next("pt-build-secrets");
    const logger = recordingLogger();
    result = await runBuild(
      {
        configFile,
        config,
        cwd: dir,
        image,
        buildArgs: { BASE: bc.images.busybox },
        secrets: [{ id: "token", value: token }],
      },
      {
        logger,
        smokeTest: false,
        builder: bc.builder,
        dockerConfig: bc.login ? login.configDir : undefined,
      },
    );
    lines = logger.lines;
    const reports = await exec("docker", [
      "run",
      "--rm",
      "--entrypoint",
      "cat",
      `${image}-test`,
      "/reports/token.sha",
      "/reports/npmrc.sha",
    ]);
    testReports = reports.stdout;
  });

  test("the test stage read both secrets", () => {
    expect(testReports.split("\n").filter(Boolean)).toEqual([sha256(token), sha256(npmrc)]);
  });

  test("the build log shows the step's output with the value masked", () => {
    expect(lines.some((l) => /the token is \*\*\*/.test(l))).toBe(true);
    expect(lines.join("\n")).not.toContain(token);
  });

  test("the value is in neither image, their history nor their config", async () => {
    for (const image of [result.image, result.testImage!]) {
      const text = await imageText(image);
      expect(text).not.toContain(token);
      expect(text).not.toContain(npmrc.trim());
    }
  });
});
