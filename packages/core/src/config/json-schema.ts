/**
 * schema/powertrain.schema.json (editor completion and validation) is
 * generated from the zod schema, so the two cannot drift; a unit test fails
 * when the committed file is stale. Regenerate with:
 *   npx tsx packages/core/src/config/json-schema.ts --write
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { PowertrainConfig } from "./schema";

/** Where the generated schema is committed, from the repository root. */
export const JSON_SCHEMA_PATH = "schema/powertrain.schema.json";
export const REGENERATE_JSON_SCHEMA = "npx tsx packages/core/src/config/json-schema.ts --write";

/** The JSON Schema (draft 2020-12) of what may be written in powertrain.yml. */
export function generateJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(PowertrainConfig, { io: "input", target: "draft-2020-12" }) as Record<
    string,
    unknown
  >;
}

/** The exact text of schema/powertrain.schema.json. */
export function renderJsonSchema(): string {
  return `${JSON.stringify(generateJsonSchema(), null, 2)}\n`;
}

if (require.main === module && process.argv.includes("--write")) {
  const target = join(__dirname, "../../../..", JSON_SCHEMA_PATH);
  writeFileSync(target, renderJsonSchema());
  process.stderr.write(`wrote ${target}\n`);
}
