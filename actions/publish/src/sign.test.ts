import { signOutputs, signSummaryRows } from "./sign";

const D = `sha256:${"c".repeat(64)}`;
const signed = {
  signature: {
    tag: "sha256-c.sig",
    manifestDigest: D,
    added: true,
    keyId: `sha256:${"d".repeat(64)}`,
    image: `r/a@${D}`,
  },
  attestation: {
    tag: "sha256-c.att",
    manifestDigest: D,
    added: true,
    keyId: `sha256:${"d".repeat(64)}`,
    image: `r/a@${D}`,
  },
};

test.each([
  [undefined, { signature: "", attestation: "", "key-id": "" }],
  [signed, { signature: "sha256-c.sig", attestation: "sha256-c.att", "key-id": `sha256:${"d".repeat(64)}` }],
  [
    { signature: signed.signature },
    { signature: "sha256-c.sig", attestation: "", "key-id": signed.signature.keyId },
  ],
])("signOutputs %#", (result, outputs) => {
  expect(signOutputs(result)).toEqual(outputs);
});

test("summary rows say what was signed and attested, or why not", () => {
  expect(signSummaryRows(undefined)).toEqual([["Signed", "no (no sign-key)"]]);
  expect(signSummaryRows({ signature: signed.signature })).toContainEqual(["Attested", "no test report"]);
  expect(signSummaryRows(signed)[0]![1]).toMatch(/^sha256-c\.sig \(key sha256:d{12}…\)$/);
});
