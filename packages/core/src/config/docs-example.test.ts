import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "./load";
import { listEnvironments, resolveEnvironment } from "./resolve";

// docs/config.md is the reference people copy from: every YAML example in it must validate.
const markdown = readFileSync(join(__dirname, "../../../../docs/config.md"), "utf8");
const examples = [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

test("docs/config.md has examples", () => {
  expect(examples.length).toBeGreaterThanOrEqual(2);
});

test.each(examples.filter((e) => /^name:/m.test(e)).map((e, i) => [i, e]))(
  "example %i validates in every environment",
  (_i, text) => {
    const config = parseConfig(text, "docs/config.md");
    for (const name of [undefined, ...listEnvironments(config)])
      expect(resolveEnvironment(config, name).app).toBe(config.name);
  },
);

test("the overlay example gives what the text says", () => {
  const overlay = examples.find((e) => e.includes("DEBUG_UI: null"))!;
  const prod = resolveEnvironment(parseConfig(`name: a\n${overlay}`, "docs/config.md"), "prod");
  expect(prod.run).toMatchObject({ instances: 4, env: { LOG_LEVEL: "warn" } });
  expect(prod.run.env).not.toHaveProperty("DEBUG_UI");
  expect(prod.run.ports).toHaveLength(1);
});
