import type { PowertrainConfig } from "../config/schema";
import type { CiMetadata } from "../version/ci";
import { configFromLabels, imageLabels } from "./labels";

const config: PowertrainConfig = { name: "web", build: { "test-target": "test" }, run: { instances: 2 } };
const created = new Date("2026-01-02T03:04:05Z");

test("GitHub build: OCI labels, build metadata and the baked config", () => {
  const ci: CiMetadata = {
    ci: "github",
    buildNumber: 42,
    sha: "0123456789abcdef",
    branch: "main",
    runId: "999",
    runUrl: "https://github.com/o/r/actions/runs/999",
    actor: "octo",
    repositoryUrl: "https://github.com/o/r",
  };
  const labels = imageLabels({ config, ci, created });
  expect(labels).toMatchObject({
    "org.opencontainers.image.created": "2026-01-02T03:04:05.000Z",
    "org.opencontainers.image.title": "web",
    "org.opencontainers.image.revision": "0123456789abcdef",
    "org.opencontainers.image.source": "https://github.com/o/r",
    "org.opencontainers.image.version": "42-0123456",
    "dev.powertrain.build-number": "42",
    "dev.powertrain.run-id": "999",
    "dev.powertrain.run-url": "https://github.com/o/r/actions/runs/999",
    "dev.powertrain.ref": "refs/heads/main",
    "dev.powertrain.actor": "octo",
    "dev.powertrain.schema": "1",
  });
  expect(configFromLabels(labels)).toEqual(config);
});

test.each<[string, Partial<CiMetadata>, Record<string, string | undefined>]>([
  [
    "tag build uses the semver",
    { ci: "jenkins", buildNumber: 7, sha: "abcdef1234", tagRef: "v1.2.3", semver: "1.2.3" },
    { "org.opencontainers.image.version": "1.2.3", "dev.powertrain.ref": "refs/tags/v1.2.3" },
  ],
  [
    "local build without git leaves unknown labels out",
    { ci: "local", buildNumber: 0 },
    {
      "org.opencontainers.image.version": undefined,
      "org.opencontainers.image.revision": undefined,
      "dev.powertrain.build-number": undefined,
      "dev.powertrain.ci": "local",
    },
  ],
])("%s", (_name, ci, expected) => {
  const labels = imageLabels({ config, ci: ci as CiMetadata, created });
  for (const [key, value] of Object.entries(expected)) expect(labels[key]).toBe(value);
});

test("configFromLabels without the label", () => {
  expect(configFromLabels({})).toBeUndefined();
});
