/**
 * A baked config cannot take the runner's secrets: `powertrain deploy` with an env value that
 * references ${ACTIONS_RUNTIME_TOKEN} (set in its environment, as on a runner) stops with a usage
 * error naming the reference, before any ssh connection — the host here is a closed port, so a
 * deploy that got as far as connecting would fail differently — and never prints the value.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { registerDeploy } from "../../packages/cli/src/commands/deploy";
import { buildProgram, type CliContext, reportError } from "../../packages/cli/src/main";
import { StreamLogger } from "../../packages/core/src/log";
import { freePort, tempDir } from "../support/helpers";

const TOKEN = "runtime-token-value-9f8e7d";
const DIGEST = `sha256:${"a".repeat(64)}`;

async function cli(args: string[]): Promise<{ code: number; err: string }> {
  let err = "";
  const sink = new Writable({
    write(chunk, _enc, done) {
      err += chunk.toString();
      done();
    },
  });
  const ctx: CliContext = { logger: new StreamLogger(sink), out: sink };
  const program = buildProgram(ctx);
  if (!program.commands.some((c) => c.name() === "deploy")) registerDeploy(program, ctx);
  let code = 0;
  try {
    await program.parseAsync(["node", "powertrain", ...args]);
  } catch (e) {
    code = reportError(e, ctx);
  }
  return { code, err };
}

let saved: string | undefined;
beforeAll(() => {
  saved = process.env.ACTIONS_RUNTIME_TOKEN;
  process.env.ACTIONS_RUNTIME_TOKEN = TOKEN;
});
afterAll(() => {
  if (saved === undefined) delete process.env.ACTIONS_RUNTIME_TOKEN;
  else process.env.ACTIONS_RUNTIME_TOKEN = saved;
});

test.each([
  ["ssh", ""],
  ["swarm", "    deploy: { engine: swarm }\n"],
])("engine %s: ${ACTIONS_RUNTIME_TOKEN} is refused before any host is reached", async (_engine, deploy) => {
  const dir = tempDir("pt-hardening-refs-");
  const config = join(dir, "powertrain.yml");
  const closed = await freePort();
  writeFileSync(
    config,
    [
      "name: pt-hardening-refs",
      "run:",
      '  ports: ["18900:8080"]',
      "  env: { STOLEN: 'x-${ACTIONS_RUNTIME_TOKEN}' }",
      "environments:",
      "  test:",
      `    hosts: ["nobody@127.0.0.1:${closed}"]`,
      deploy,
    ].join("\n"),
  );
  const r = await cli(["deploy", `127.0.0.1:5000/pt-hardening@${DIGEST}`, "-e", "test", "-c", config]);
  expect({ code: r.code, err: r.err.trim() }).toEqual({
    code: 2,
    err: expect.stringContaining(
      "may not read: ACTIONS_RUNTIME_TOKEN (never allowed: the runner's own tokens)",
    ),
  });
  expect(r.err).not.toContain(TOKEN);
});
