import { execFileSync } from "node:child_process";
import { silentLogger } from "../log";
import { HOSTILE } from "../ssh/hostile.fixture";
import { envPayload, resolveEnvReferences, runFor } from "./env";

describe("resolveEnvReferences", () => {
  test.each([
    [{ A: "${X}" }, { X: "1" }, { A: "1" }],
    [{ A: "pre-${X}-${Y}" }, { X: "1", Y: "2" }, { A: "pre-1-2" }],
    [{ A: "$X and $(x)" }, {}, { A: "$X and $(x)" }],
    [{ A: "${X}" }, { X: "$(id) `x` ${Y}" }, { A: "$(id) `x` ${Y}" }],
  ])("%j with %j", (env, source, expected) => {
    expect(resolveEnvReferences(env, source)).toEqual(expected);
  });

  test("lists every missing variable in one error", () => {
    expect(() => resolveEnvReferences({ A: "${B}", C: "${D}${B}" }, {})).toThrow(
      "env references variables that are not set: B, D",
    );
  });
});

describe("envPayload through a real sh", () => {
  // What the start script does with the payload: eval it, then hand docker the env file and exports.
  const script = `eval "$(cat)"; printf '%s' "$__pt_envfile"; printf '\\0%s' "$MULTI"`;
  test.each(HOSTILE.filter((v) => !/[\r\n]/.test(v)).map((v) => [JSON.stringify(v), v]))(
    "single-line %s goes to the env file literally",
    (_n, value) => {
      const out = execFileSync("sh", ["-c", script], { input: envPayload({ A: value, MULTI: "x\ny" }) });
      expect(out.toString()).toBe(`A=${value}\n\0x\ny`);
    },
  );

  test("multi-line values are exported, not written to the env file", () => {
    const value = "l1\n$(id)\r\n'q'\n";
    const out = execFileSync("sh", ["-c", script], { input: envPayload({ MULTI: value }) });
    expect(out.toString()).toBe(`\0${value}`);
  });
});

describe("masking of referenced values", () => {
  test("masks values that arrive through references, not literals nor powertrain's metadata", () => {
    const masked: string[] = [];
    const logger = { ...silentLogger, mask: (v: string) => void masked.push(v) };
    const env = {
      TOKEN: "${API_TOKEN}",
      LEVEL: "debug",
      VERSION: "${POWERTRAIN_VERSION}",
      URL: "https://${HOST}/x",
    };
    const out = resolveEnvReferences(
      env,
      { API_TOKEN: "s3cr3t-value", POWERTRAIN_VERSION: "12-abc1234", HOST: "db.internal" },
      logger,
    );
    expect(out).toEqual({
      TOKEN: "s3cr3t-value",
      LEVEL: "debug",
      VERSION: "12-abc1234",
      URL: "https://db.internal/x",
    });
    expect(masked.sort()).toEqual(["db.internal", "s3cr3t-value"]);
  });
});

describe("references the deploy side never passes on", () => {
  test.each([
    "ACTIONS_RUNTIME_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "INPUT_SSH_KEY",
    "SSH_AUTH_SOCK",
    "POWERTRAIN_REGISTRY_PASSWORD",
    "GITHUB_TOKEN",
    "RUNNER_TEMP",
  ])("${%s} is refused even when the source has it", (name) => {
    expect(() => resolveEnvReferences({ A: `x-\${${name}}` }, { [name]: "value" })).toThrow(
      new RegExp(`may not read: ${name} \\(never allowed`),
    );
  });

  test("only POWERTRAIN_VERSION, _IMAGE and _ENVIRONMENT stay unmasked", () => {
    const masked: string[] = [];
    const logger = { ...silentLogger, mask: (v: string) => void masked.push(v) };
    const env = {
      V: "${POWERTRAIN_VERSION}",
      I: "${POWERTRAIN_IMAGE}",
      E: "${POWERTRAIN_ENVIRONMENT}",
      S: "${GITHUB_SHA}",
      C: "${CI_TOKEN}",
      P: "${POWERTRAIN_OTHER}",
    };
    const source = {
      POWERTRAIN_VERSION: "1-a",
      POWERTRAIN_IMAGE: "r/a@sha256:1",
      POWERTRAIN_ENVIRONMENT: "prod",
      GITHUB_SHA: "sha-value",
      CI_TOKEN: "ci-token",
      POWERTRAIN_OTHER: "other",
    };
    resolveEnvReferences(env, source, logger);
    expect(masked.sort()).toEqual(["ci-token", "other", "sha-value"]);
  });
});

describe("runFor", () => {
  const run = { instances: 2, env: { APP_VERSION: "${POWERTRAIN_VERSION}", TOKEN: "${TOKEN}" } };

  test("resolves references for the version being started", () => {
    const out = runFor(run, "7-abc1234", { referenceSource: { TOKEN: "t0ken" } });
    expect(out).toEqual({ instances: 2, env: { APP_VERSION: "7-abc1234", TOKEN: "t0ken" } });
  });

  test("the step's own POWERTRAIN_VERSION wins", () => {
    const out = runFor(run, "7-abc1234", { referenceSource: { TOKEN: "x", POWERTRAIN_VERSION: "pinned" } });
    expect(out.env.APP_VERSION).toBe("pinned");
  });

  test("without a source the run is already resolved and left alone", () => {
    expect(runFor(run, "7-abc1234", {})).toBe(run);
  });
});

describe("envPayload refuses what would become shell text or change the docker client", () => {
  test.each([
    [{ "X;touch /tmp/pwned": "1" }, /"X;touch \/tmp\/pwned" is not a valid variable name/],
    [{ "A B": "1" }, /is not a valid variable name/],
    [{ PATH: "/evil\n/bin" }, /PATH cannot hold a line break/],
    [{ DOCKER_HOST: "tcp://evil:2375\n" }, /DOCKER_HOST cannot hold a line break/],
  ])("%j", (env, error) => {
    expect(() => envPayload(env)).toThrow(error);
  });

  test("a multi-line value of an ordinary name is exported, quoted", () => {
    expect(envPayload({ CERT: "a\nb" })).toContain("export CERT='a\nb'");
  });
});
