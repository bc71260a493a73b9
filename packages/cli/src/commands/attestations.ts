/**
 * `powertrain attestations <image@digest> [--key <file>] [--json]`: the
 * attestations stored for a digest (cosign's `.att` tag), checked when a key
 * is given — what the build's tests proved, and who says so.
 */
import {
  describeTests,
  loadVerifyingKey,
  readAttestations,
  registryClientFor,
  type StoredAttestation,
  TEST_RESULTS_PREDICATE,
  type TestResultsPredicate,
} from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../main";
import { pinned } from "./sign";

interface AttestationsFlags {
  key?: string;
  json?: boolean;
}

export function registerAttestations(program: Command, ctx: CliContext): void {
  program
    .command("attestations")
    .description("Show the attestations (e.g. test results) stored for an image digest.")
    .argument("<image>", "registry/repository@sha256:…")
    .option("--key <file>", "public key (PEM) to verify them with; without it they are shown unverified")
    .option("--json", "print them as JSON on stdout")
    .action(async (image: string, flags: AttestationsFlags) => {
      const ref = pinned(image);
      const key = flags.key ? await loadVerifyingKey(flags.key) : undefined;
      const client = await registryClientFor(ref.registry, ctx.logger);
      try {
        const found = await readAttestations({ client, repository: ref.repository, digest: ref.digest, key });
        if (flags.json) ctx.out.write(`${JSON.stringify(found, null, 2)}\n`);
        else if (found.length === 0) ctx.out.write(`no attestations for ${image}\n`);
        else for (const a of found) ctx.out.write(`${describeAttestation(a)}\n`);
      } finally {
        await client.close();
      }
    });
}

export function describeAttestation(a: StoredAttestation): string {
  const trust = a.verified ? "verified" : (a.problem ?? "unverified");
  if (a.statement.predicateType !== TEST_RESULTS_PREDICATE) return `${a.statement.predicateType}  [${trust}]`;
  const p = a.statement.predicate as TestResultsPredicate;
  const facts = [
    describeTests(p),
    p.source?.commit ? `commit ${p.source.commit.slice(0, 12)}` : undefined,
    p.build?.number !== undefined ? `build ${p.build.number}` : undefined,
    p.build?.runUrl,
    p.testStage?.imageId ? `test stage ${p.testStage.imageId}` : undefined,
    `powertrain ${p.powertrain?.version ?? "?"}`,
    p.createdAt,
  ].filter(Boolean);
  return `test results: ${facts.join(", ")}  [${trust}]`;
}
