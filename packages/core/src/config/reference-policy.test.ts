import { UsageError } from "../errors";
import { silentLogger } from "../log";
import {
  allowedSource,
  allowReferences,
  deployEnvNames,
  judgeReferences,
  parseEnvFrom,
  RefusedReferenceError,
} from "./reference-policy";

/** A deploy step's environment as a runner has it: secrets of its own next to the app's. */
const RUNNER_ENV = {
  API_TOKEN: "app-token",
  DB_URL: "postgres://db",
  OTHER_APP_KEY: "not-yours",
  ACTIONS_RUNTIME_TOKEN: "runtime",
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: "oidc",
  ACTIONS_ID_TOKEN_REQUEST_URL: "https://oidc",
  INPUT_SSH_KEY: "-----BEGIN",
  "INPUT_REGISTRY-PASSWORD": "pw",
  SSH_AUTH_SOCK: "/tmp/agent",
  POWERTRAIN_REGISTRY_PASSWORD: "registry-pw",
  POWERTRAIN_REGISTRY_USER: "ci",
  GITHUB_TOKEN: "ghs_x",
  GITHUB_SHA: "0123456",
  RUNNER_TEMP: "/tmp/r",
  POWERTRAIN_VERSION: "42-abc1234",
  POWERTRAIN_IMAGE: "reg/app@sha256:1",
  POWERTRAIN_ENVIRONMENT: "prod",
  APP_ONE: "1",
  APP_TWO: "2",
};

describe("judgeReferences", () => {
  test.each<[string, string[], string[], string[], string[]]>([
    [
      "public metadata needs no allowlist",
      ["POWERTRAIN_VERSION", "POWERTRAIN_IMAGE"],
      [],
      ["POWERTRAIN_IMAGE", "POWERTRAIN_VERSION"],
      [],
    ],
    ["allowed by name", ["API_TOKEN"], ["API_TOKEN"], ["API_TOKEN"], []],
    ["not allowed: another app's key", ["OTHER_APP_KEY"], ["API_TOKEN"], [], ["OTHER_APP_KEY"]],
    ["a prefix entry", ["APP_ONE", "APP_TWO", "APPX"], ["APP_*"], ["APP_ONE", "APP_TWO"], ["APPX"]],
    [
      "runner token, even when listed",
      ["ACTIONS_RUNTIME_TOKEN"],
      ["ACTIONS_RUNTIME_TOKEN"],
      [],
      ["ACTIONS_RUNTIME_TOKEN"],
    ],
    [
      "OIDC request, even by prefix",
      ["ACTIONS_ID_TOKEN_REQUEST_URL"],
      ["ACTIONS_*"],
      [],
      ["ACTIONS_ID_TOKEN_REQUEST_URL"],
    ],
    ["action inputs", ["INPUT_SSH_KEY"], ["INPUT_SSH_KEY"], [], ["INPUT_SSH_KEY"]],
    ["ssh settings", ["SSH_AUTH_SOCK"], ["SSH_AUTH_SOCK"], [], ["SSH_AUTH_SOCK"]],
    [
      "registry credentials",
      ["POWERTRAIN_REGISTRY_PASSWORD"],
      ["POWERTRAIN_*"],
      [],
      ["POWERTRAIN_REGISTRY_PASSWORD"],
    ],
    ["GITHUB_TOKEN", ["GITHUB_TOKEN"], ["GITHUB_TOKEN"], [], ["GITHUB_TOKEN"]],
    ["runner settings", ["RUNNER_TEMP"], ["RUNNER_TEMP"], [], ["RUNNER_TEMP"]],
    ["other CI metadata only when listed", ["GITHUB_SHA"], [], [], ["GITHUB_SHA"]],
  ])("%s", (_name, references, allowed, ok, refused) => {
    const verdict = judgeReferences(references, allowed);
    expect({ allowed: verdict.allowed, refused: verdict.refused.map((r) => r.name) }).toEqual({
      allowed: ok,
      refused,
    });
  });
});

describe("allowReferences", () => {
  test("returns only the allowed values; every value but the public metadata is to be masked", () => {
    const out = allowReferences({
      references: ["API_TOKEN", "DB_URL", "POWERTRAIN_VERSION", "GITHUB_SHA"],
      allowed: ["API_TOKEN", "DB_URL", "GITHUB_SHA"],
      source: RUNNER_ENV,
    });
    expect(out.values).toEqual({
      API_TOKEN: "app-token",
      DB_URL: "postgres://db",
      POWERTRAIN_VERSION: "42-abc1234",
      GITHUB_SHA: "0123456",
    });
    expect(out.secrets.sort()).toEqual(["0123456", "app-token", "postgres://db"]);
  });

  test("one UsageError names every refused reference and why", () => {
    let error: unknown;
    try {
      allowReferences({
        references: ["ACTIONS_RUNTIME_TOKEN", "OTHER_APP_KEY", "API_TOKEN", "POWERTRAIN_REGISTRY_PASSWORD"],
        allowed: ["API_TOKEN"],
        source: RUNNER_ENV,
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RefusedReferenceError);
    expect(error).toBeInstanceOf(UsageError);
    const e = error as RefusedReferenceError;
    expect(e.refused.map((r) => r.name)).toEqual([
      "ACTIONS_RUNTIME_TOKEN",
      "OTHER_APP_KEY",
      "POWERTRAIN_REGISTRY_PASSWORD",
    ]);
    expect(e.message).toBe(
      "env references variables this deploy may not read: ACTIONS_RUNTIME_TOKEN (never allowed: the runner's own tokens), OTHER_APP_KEY (not in DEPLOY_ENV or env-from), POWERTRAIN_REGISTRY_PASSWORD (never allowed: registry credentials)",
    );
    expect(e.hint).toMatch(/env-from/);
    // No value reaches the message.
    for (const value of Object.values(RUNNER_ENV)) expect(e.message).not.toContain(value);
  });

  test("an allowed name that is not set is left out, for substitution to report as missing", () => {
    expect(allowReferences({ references: ["API_TOKEN"], allowed: ["API_TOKEN"], source: {} }).values).toEqual(
      {},
    );
  });

  test("inherited properties are not values", () => {
    const out = allowReferences({ references: ["constructor"], allowed: ["constructor"], source: {} });
    expect(out).toEqual({ values: {}, secrets: [] });
  });

  test("empty values resolve but there is nothing to mask", () => {
    expect(allowReferences({ references: ["A"], allowed: ["A"], source: { A: "" } })).toEqual({
      values: { A: "" },
      secrets: [],
    });
  });
});

describe("parseEnvFrom", () => {
  test.each<[string | string[] | undefined, string[]]>([
    [undefined, []],
    ["", []],
    ["API_TOKEN", ["API_TOKEN"]],
    ["A, B\nC  D,,A", ["A", "B", "C", "D"]],
    [
      ["A,B", "APP_*"],
      ["A", "B", "APP_*"],
    ],
  ])("%j", (text, expected) => {
    expect(parseEnvFrom(text)).toEqual(expected);
  });

  test.each(["1A", "A-B", "*", "A*B", "$A"])("%j is refused", (text) => {
    expect(() => parseEnvFrom(text, "--env-from")).toThrow(UsageError);
    expect(() => parseEnvFrom(text, "--env-from")).toThrow(/^--env-from: /);
  });
});

describe("deployEnvNames", () => {
  test.each<[string | undefined, string[]]>([
    [undefined, []],
    ["A=1\nB=x=y\r\n\n# C=comment\n  \nA=2", ["A", "B"]],
    ["EMPTY=", ["EMPTY"]],
  ])("%j", (text, expected) => {
    expect(deployEnvNames(text)).toEqual(expected);
  });

  test.each(["no equals", "1A=x", "=x", "A B=x"])("%j is refused without echoing the value", (line) => {
    expect(() => deployEnvNames(`OK=1\n${line}`)).toThrow(/^DEPLOY_ENV: expected KEY=value lines/);
  });
});

describe("allowedSource", () => {
  test("the allowed values of the env's references, secrets masked at once", () => {
    const masked: string[] = [];
    const logger = { ...silentLogger, mask: (v: string) => void masked.push(v) };
    const env = { TOKEN: "${API_TOKEN}", V: "${POWERTRAIN_VERSION}", PLAIN: "x" };
    const source = allowedSource({ env, allowed: ["API_TOKEN", "DB_URL"], source: RUNNER_ENV, logger });
    // DB_URL is allowed but not referenced: it is not passed on either.
    expect(source).toEqual({ API_TOKEN: "app-token", POWERTRAIN_VERSION: "42-abc1234" });
    expect(masked).toEqual(["app-token"]);
  });

  test("refuses before returning anything", () => {
    expect(() =>
      allowedSource({ env: { A: "${INPUT_SSH_KEY}" }, allowed: ["INPUT_SSH_KEY"], source: RUNNER_ENV }),
    ).toThrow(RefusedReferenceError);
  });
});
