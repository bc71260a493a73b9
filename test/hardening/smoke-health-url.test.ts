/**
 * The smoke test's http health probe runs under `sh -c` inside the container (docker's
 * --health-cmd): a URL with `&` (`/h?a=1&b=2`) must reach wget whole. Unquoted, wget went to the
 * background and the probe passed with nothing listening. Real containers of the busybox base.
 */
import { smokeTest } from "../../packages/core/src/build/smoke";
import { PowertrainConfig } from "../../packages/core/src/config/schema";
import { silentLogger } from "../../packages/core/src/log";
import { testEnv } from "../support/env";

jest.setTimeout(90_000);

const env = testEnv();

function config(command: string): PowertrainConfig {
  return PowertrainConfig.parse({
    name: "pt-hardening-smoke",
    run: {
      ports: ["8080"],
      command: ["/bin/sh", "-c", command],
      health: { http: "/h?a=1&b=2", retries: 3 },
    },
  });
}

test("nothing listening: the probe with & in its URL fails, so the smoke test fails", async () => {
  const r = await smokeTest({
    image: env.images.busybox,
    config: config("sleep 60"),
    environment: "ci",
    settings: { timeout: "30s" },
    logger: silentLogger,
  });
  expect({ passed: r.passed, message: r.message.split("\n")[0] }).toEqual({
    passed: false,
    message: "smoke test: the app did not become healthy: its health check failed; last log lines:",
  });
});

test("an app answering on /h: the same URL probes healthy", async () => {
  const r = await smokeTest({
    image: env.images.busybox,
    config: config("mkdir -p /tmp/w && echo ok >/tmp/w/h && exec httpd -f -p 8080 -h /tmp/w"),
    environment: "ci",
    settings: { timeout: "30s" },
    logger: silentLogger,
  });
  expect({ passed: r.passed, message: r.message }).toEqual({
    passed: true,
    message: "the app started and is healthy",
  });
});
