/** The powertrain CLI run in-process as its binary would be: exit code, stdout and stderr. */
export { type CliRun, runCli } from "../../packages/cli/src/run-in-process";
