import { policyFromInputs } from "./deploy-gate";

test.each([
  [undefined, undefined, undefined],
  ["k.pub", undefined, { key: "k.pub", require: ["signature"] }],
  ["k.pub", "signature,tests", { key: "k.pub", require: ["signature", "tests"] }],
  ["${KEY}", "tests", { key: "${KEY}", require: ["tests"] }],
])("policyFromInputs(%j, %j)", (key, require, expected) => {
  expect(policyFromInputs(key, require)).toEqual(expected);
});

test("a requirement without a key, or an unknown one, is a usage error", () => {
  expect(() => policyFromInputs(undefined, "tests")).toThrow(/needs a key/);
  expect(() => policyFromInputs("k.pub", "vibes")).toThrow(/"vibes" is not one of signature, tests/);
});
