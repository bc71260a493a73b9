import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { trustedCas } from "./transport";

test("a private CA is added to the public roots, not put in their place", () => {
  const dir = mkdtempSync(join(tmpdir(), "pt-ca-"));
  try {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    writeFileSync(join(dir, "ca.pem"), pem);
    const cas = trustedCas(join(dir, "ca.pem"));
    expect(cas.length).toBe(rootCertificates.length + 1);
    expect(cas.at(-1)).toBe(pem);
    expect(cas.slice(0, -1)).toEqual([...rootCertificates]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
