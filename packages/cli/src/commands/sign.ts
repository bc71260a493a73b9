/**
 * `powertrain sign <image@digest> --key <file>`: sign a pushed digest in
 * cosign's format; with `--attest-tests FILE` also attach the build's test
 * results as a signed attestation. The key's password comes from
 * POWERTRAIN_SIGN_PASSWORD or COSIGN_PASSWORD, never from a flag.
 */
import { readFile } from "node:fs/promises";
import {
  ciMetadata,
  loadSigningKey,
  parseReference,
  parseTestReport,
  registryClientFor,
  signPasswordFromEnv,
  signPublished,
  UsageError,
} from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../main";

interface SignFlags {
  key: string;
  attestTests?: string;
  referrer: boolean;
  json?: boolean;
}

export function registerSign(program: Command, ctx: CliContext): void {
  program
    .command("sign")
    .description("Sign a pushed image digest (cosign format); optionally attach its test results.")
    .argument("<image>", "registry/repository@sha256:… (a digest, never a tag)")
    .requiredOption(
      "--key <file>",
      "private key: cosign.key, or a PEM P-256 key (openssl); env://NAME reads a variable",
    )
    .option(
      "--attest-tests <file>",
      "attach this test report (the build's test-report JSON) as a signed attestation",
    )
    .option("--no-referrer", "do not also store the signature as an OCI 1.1 referrer")
    .option("--json", "print what was written as JSON on stdout")
    .addHelpText("after", "\nThe key's password is read from POWERTRAIN_SIGN_PASSWORD (or COSIGN_PASSWORD).")
    .action(async (image: string, flags: SignFlags) => {
      const ref = pinned(image);
      const password = signPasswordFromEnv();
      if (password) ctx.logger.mask(password);
      const key = await loadSigningKey(flags.key, password);
      const tests = flags.attestTests
        ? parseTestReport(await readFile(flags.attestTests, "utf8"), flags.attestTests)
        : undefined;
      const client = await registryClientFor(ref.registry, ctx.logger);
      try {
        const result = await signPublished({
          client,
          repository: ref.repository,
          digest: ref.digest,
          key,
          tests,
          meta: tests ? await ciMetadata() : undefined,
          referrer: flags.referrer,
          logger: ctx.logger,
        });
        ctx.out.write(
          flags.json
            ? `${JSON.stringify(result, null, 2)}\n`
            : `${result.signature.image} signed (${result.signature.tag}${result.attestation ? `, ${result.attestation.tag}` : ""})\n`,
        );
      } finally {
        await client.close();
      }
    });
}

/** A reference with a digest, or a usage error saying why a tag is not enough. */
export function pinned(image: string): { registry: string; repository: string; digest: string } {
  const ref = parseReference(image);
  if (!ref.digest) {
    throw new UsageError(`${image} is not pinned: give registry/repository@sha256:… (a tag can move)`, {
      hint: "powertrain find / the publish action's image output print the pinned reference",
    });
  }
  return { registry: ref.registry, repository: ref.repository, digest: ref.digest };
}
