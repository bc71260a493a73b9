/** The powertrain CLI run in-process as its binary would be: exit code, stdout and stderr. */
import { testEnv } from "./env";

export { type CliRun, runCli } from "../../packages/cli/src/run-in-process";

/** `-e ENV -c CONFIG --ssh-key … --known-hosts …`: a CLI command aimed at the test SSH hosts (no `-e` for null). */
export function targetFlags(config: string, environment: string | null = "test"): string[] {
  const { ssh } = testEnv();
  return [
    ...(environment ? ["-e", environment] : []),
    "-c",
    config,
    "--ssh-key",
    ssh.key,
    "--known-hosts",
    ssh.knownHosts,
  ];
}
