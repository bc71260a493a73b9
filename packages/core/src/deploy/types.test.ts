import type { ResolvedEnvironment } from "../config/resolve";
import type { DeployEnvironment } from "./types";

test("a resolved environment is a deploy environment (checked by the compiler)", () => {
  const asDeploy = (r: ResolvedEnvironment): DeployEnvironment => r;
  expect(typeof asDeploy).toBe("function");
});
