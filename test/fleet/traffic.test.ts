import { newApp } from "../deploy/support";
import { buildVersionApp } from "../support/helpers";
import { rollingUnderLoad } from "./lb";
import { cleanUpFleet, env, fleet, runningVersions } from "./support";

jest.setTimeout(240_000);

const hosts = fleet.hosts.slice(0, 4);
const app = newApp();
afterAll(() => cleanUpFleet(app, hosts));

test("a rolling deploy across 4 hosts behind nginx under load: zero failed requests", async () => {
  const [v1, v2] = await Promise.all([buildVersionApp(env, app, "v1"), buildVersionApp(env, app, "v2")]);
  const { load } = await rollingUnderLoad(app, { v1, v2 }, hosts);
  expect(load.errors).toEqual([]);
  expect(load.failed).toBe(0);
  expect(load.sent).toBeGreaterThan(100);
  // Both versions answered: the load ran across the switch, not before or after it.
  expect(Object.keys(load.byBody).sort()).toEqual(["v1", "v2"]);
  for (const h of hosts) expect(await runningVersions(h, app)).toEqual(["v2", "v2"]);
});
