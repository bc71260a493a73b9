import { createHash } from "node:crypto";
import {
  classifyEnv,
  newSecretKey,
  parseSecretList,
  planSecretMounts,
  SECRET_LIST_FORMAT,
  secretDigest,
  secretName,
} from "./secrets";

test.each([
  [{ A: "plain" }, {}, { A: "plain" }, {}],
  [{ DB: "postgres://u:${PW}@db" }, { PW: "p" }, {}, { DB: "postgres://u:p@db" }],
  [
    { V: "${POWERTRAIN_VERSION}", E: "${POWERTRAIN_ENVIRONMENT}" },
    { POWERTRAIN_VERSION: "v1", POWERTRAIN_ENVIRONMENT: "prod" },
    { V: "v1", E: "prod" },
    {},
  ],
  // Only powertrain's three metadata variables are public; other CI variables are treated as secret.
  [{ R: "${GITHUB_SHA}" }, { GITHUB_SHA: "abc" }, {}, { R: "abc" }],
  [{ L: "$${NOT_A_REF}" }, {}, { L: "${NOT_A_REF}" }, {}],
])("%j with %j → plain %j, secret %j", (env, source, plain, secret) => {
  expect(classifyEnv(env, source)).toEqual({ plain, secret });
});

test("without a source the values are taken as resolved and plain", () => {
  expect(classifyEnv({ A: "x" }, undefined)).toEqual({ plain: { A: "x" }, secret: {} });
});

test("a missing reference is one error naming it", () => {
  expect(() => classifyEnv({ A: "${MISSING_ONE}" }, {})).toThrow(/MISSING_ONE/);
});

const KEY = "0f".repeat(32);
const DEPLOY = "20261201T085053Z-a1b2c3";

test("secret names carry the deploy id, nothing derived from the value", () => {
  const name = secretName("shop-prod", "DB_URL", DEPLOY);
  expect(name).toBe("shop-prod-db-url-20261201t085053z-a1b2c3");
  const long = secretName("a-very-long-application-name-prod", "A_VERY_LONG_VARIABLE_NAME_INDEED", DEPLOY);
  expect(long.length).toBeLessThanOrEqual(64);
  expect(long).toMatch(/^[a-z0-9][a-z0-9_.-]*-20261201t085053z-a1b2c3$/);
});

test("no plan leaks the unsalted digest the old names printed", () => {
  const value = "Summer2024!";
  const unsalted = createHash("sha256").update(value).digest("hex");
  const [planned] = planSecretMounts("shop-prod", { DB_PASSWORD: value }, { deployId: DEPLOY, key: KEY });
  expect(planned!.name).not.toContain(unsalted.slice(0, 12));
  expect(JSON.stringify(planned)).not.toContain(unsalted.slice(0, 8));
  // The digest is keyed: another key, another digest; without the key a guess cannot be tested.
  expect(planned!.digest).toBe(secretDigest(KEY, "DB_PASSWORD", value));
  expect(secretDigest("1e".repeat(32), "DB_PASSWORD", value)).not.toBe(planned!.digest);
});

test("an unchanged value keeps its secret; a changed or new one gets a secret named by this deploy", () => {
  const existing = [
    { name: "shop-prod-a-old", variable: "A", digest: secretDigest(KEY, "A", "same") },
    { name: "shop-prod-b-old", variable: "B", digest: secretDigest(KEY, "B", "before") },
    // Same value under another variable: not reused (the digest covers the variable).
    { name: "shop-prod-x-old", variable: "X", digest: secretDigest(KEY, "C", "c") },
  ];
  const plan = planSecretMounts(
    "shop-prod",
    { B: "after", A: "same", C: "c" },
    { deployId: DEPLOY, key: KEY, existing },
  );
  expect(plan.map(({ name, target, create }) => ({ name, target, create }))).toEqual([
    { name: "shop-prod-a-old", target: "A", create: false },
    { name: "shop-prod-b-20261201t085053z-a1b2c3", target: "B", create: true },
    { name: "shop-prod-c-20261201t085053z-a1b2c3", target: "C", create: true },
  ]);
  expect(plan[1]!.labels).toEqual({
    "dev.powertrain.secret-variable": "B",
    "dev.powertrain.secret-digest": secretDigest(KEY, "B", "after"),
  });
});

test("keys are 32 random bytes of hex; anything else is refused", () => {
  expect(newSecretKey()).toMatch(/^[0-9a-f]{64}$/);
  expect(newSecretKey()).not.toBe(newSecretKey());
  expect(() => secretDigest("short", "A", "v")).toThrow(TypeError);
});

test("parseSecretList reads SECRET_LIST_FORMAT lines", () => {
  expect(SECRET_LIST_FORMAT).toBe(
    '{{.Name}}\t{{.Label "dev.powertrain.secret-variable"}}\t{{.Label "dev.powertrain.secret-digest"}}',
  );
  expect(parseSecretList("a\tA\tdd\nlegacy-secret\t\t\n\n")).toEqual([
    { name: "a", variable: "A", digest: "dd" },
    { name: "legacy-secret" },
  ]);
});
