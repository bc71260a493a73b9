/**
 * `powertrain verify <image@digest> --key <file> [--require signature,tests]`:
 * exit 0 when the image carries what is required, 1 with the reason when not.
 */
import {
  loadVerifyingKey,
  REQUIREMENTS,
  type Requirement,
  registryClientFor,
  UsageError,
  VerificationError,
  verifyImage,
} from "@powertrain/core";
import type { Command } from "commander";
import type { CliContext } from "../main";
import { pinned } from "./sign";

interface VerifyFlags {
  key: string;
  require: string;
  json?: boolean;
}

export function registerVerify(program: Command, ctx: CliContext): void {
  program
    .command("verify")
    .description("Verify an image's signature and test-result attestation with a public key.")
    .argument("<image>", "registry/repository@sha256:…")
    .requiredOption("--key <file>", "public key (PEM), e.g. cosign.pub; env://NAME reads a variable")
    .option(
      "--require <list>",
      `what must be valid, comma-separated: ${REQUIREMENTS.join(", ")}`,
      "signature",
    )
    .option("--json", "print the verdict as JSON on stdout (also when refused)")
    .action(async (image: string, flags: VerifyFlags) => {
      const ref = pinned(image);
      const require = parseRequire(flags.require);
      const key = await loadVerifyingKey(flags.key);
      const client = await registryClientFor(ref.registry, ctx.logger);
      try {
        const report = await verifyImage({
          client,
          repository: ref.repository,
          digest: ref.digest,
          key,
          require,
        });
        ctx.out.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${report.summary}\n`);
      } catch (err) {
        if (flags.json && err instanceof VerificationError) {
          const verdict = { image, verified: false, reason: err.reason, message: err.message, require };
          ctx.out.write(`${JSON.stringify(verdict, null, 2)}\n`);
        }
        throw err;
      } finally {
        await client.close();
      }
    });
}

export function parseRequire(text: string): Requirement[] {
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = items.filter((i) => !(REQUIREMENTS as readonly string[]).includes(i));
  if (unknown.length || items.length === 0) {
    throw new UsageError(`--require: expected ${REQUIREMENTS.join(" and/or ")}, got "${text}"`);
  }
  return items as Requirement[];
}
