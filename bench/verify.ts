/**
 * Verification benchmark: what `deploy.verify` adds to a deploy. A small image
 * is pushed to the local registry, signed and attested with a fresh P-256 key;
 * then verifyForDeploy (require: signature + tests) runs N times, each with a
 * new registry client as a deploy would make (auth challenge included), and
 * the median and worst times are printed against the 50 ms target.
 *
 * Usage: bench/verify [--runs N]   (needs ./scripts/setup)
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { silentLogger } from "../packages/core/src/log";
import { RegistryClient } from "../packages/core/src/registry/client";
import { loadSigningKey } from "../packages/core/src/sign/keys";
import { verifyForDeploy } from "../packages/core/src/sign/policy";
import { signPublished } from "../packages/core/src/sign/publish";
import { pushTinyImage } from "../test/sign/support";
import { testEnv } from "../test/support/env";
import { median } from "../test/support/helpers";

const TARGET_MS = 50;

function runsArg(): number {
  const i = process.argv.indexOf("--runs");
  const n = i >= 0 ? Number(process.argv[i + 1]) : 20;
  if (!Number.isInteger(n) || n <= 0) throw new Error("--runs needs a positive integer");
  return n;
}

async function main(): Promise<number> {
  const env = testEnv();
  const runs = runsArg();
  const registry = env.registry.host;
  const credentials = { username: env.registry.user, password: env.registry.password };
  const repository = `pt-bench-verify-${Date.now().toString(36)}/app`;
  const dir = mkdtempSync(join(tmpdir(), "pt-bench-verify-"));
  const client = new RegistryClient({ registry, credentials });
  try {
    const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const keyFile = join(dir, "key.pem");
    const pubFile = join(dir, "key.pub");
    writeFileSync(keyFile, pair.privateKey.export({ format: "pem", type: "pkcs8" }));
    writeFileSync(pubFile, pair.publicKey.export({ format: "pem", type: "spki" }));
    const digest = await pushTinyImage(client, repository, "bench verify");
    await signPublished({
      client,
      repository,
      digest,
      key: await loadSigningKey(keyFile),
      tests: { total: 40, passed: 40, failed: 0, skipped: 0, durationMs: 900, failures: [], reports: [] },
      meta: { sha: "3f2a9c1d", buildNumber: 1 },
      logger: silentLogger,
    });
    const image = `${registry}/${repository}@${digest}`;
    const policy = { key: pubFile, require: ["signature" as const, "tests" as const] };

    const times: number[] = [];
    let requests = 0;
    for (let i = 0; i < runs + 1; i++) {
      const fresh = new RegistryClient({ registry, credentials });
      const start = performance.now();
      const report = await verifyForDeploy(policy, image, { client: fresh, logger: silentLogger });
      const ms = performance.now() - start;
      requests = fresh.requests;
      await fresh.close();
      if (!report.verified) throw new Error("verification did not pass");
      if (i > 0) times.push(ms); // the first run warms up the module and connection code
    }
    const med = median(times);
    const worst = Math.max(...times);
    console.log(
      `verify (signature + tests) of ${image}: median ${med.toFixed(1)} ms, worst ${worst.toFixed(1)} ms over ${runs} runs, ${requests} registry requests each (target ≤ ${TARGET_MS} ms added to a deploy)`,
    );
    return med <= TARGET_MS ? 0 : 1;
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
