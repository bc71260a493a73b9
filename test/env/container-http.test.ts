// The busybox base image from ./scripts/setup runs a real service: httpd in a container, published on
// a 127.0.0.1 port, answers HTTP from the host.
import { exec } from "../../packages/core/src/exec/exec";
import { checkServices, testEnv } from "../support/env";
import { dockerRm, freePort, uniqueName, waitForHttp } from "../support/helpers";

const env = testEnv();
const container = uniqueName("pt-test-env-httpd");

beforeAll(() => checkServices(env));
afterAll(() => dockerRm([container]));

test("httpd in a busybox container answers on a published 127.0.0.1 port", async () => {
  const port = await freePort();
  await exec("docker", [
    "run",
    "--detach",
    "--name",
    container,
    "--publish",
    `127.0.0.1:${port}:8080`,
    env.images.busybox,
    "sh",
    "-c",
    "mkdir -p /www && echo 'hello from busybox' > /www/index.html && exec httpd -f -p 8080 -h /www",
  ]);

  const response = await waitForHttp(`http://127.0.0.1:${port}/`, 10_000);
  expect(response.status).toBe(200);
  expect(await response.text()).toBe("hello from busybox\n");
});

test("the node image runs node as the non-root user node", async () => {
  const result = await exec("docker", [
    "run",
    "--rm",
    "--user",
    "node",
    env.images.node,
    "node",
    "-e",
    "console.log(process.versions.node, require('node:os').userInfo().uid)",
  ]);
  const [version, uid] = result.stdout.trim().split(" ");
  expect(version).toMatch(/^20\./);
  expect(uid).toBe("1000");
});
