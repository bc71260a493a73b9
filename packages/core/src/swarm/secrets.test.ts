import { classifyEnv, secretName } from "./secrets";

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

test("secret names follow the value, so a new value is a new (immutable) Swarm secret", () => {
  expect(secretName("shop-prod", "DB_URL", "a")).toMatch(/^shop-prod-db-url-[a-f0-9]{12}$/);
  expect(secretName("shop-prod", "DB_URL", "a")).not.toBe(secretName("shop-prod", "DB_URL", "b"));
});
