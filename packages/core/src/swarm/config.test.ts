import { parseConfig } from "../config/load";
import { resolveEnvironment, SWARM_DEFAULTS } from "../config/resolve";
import { engineFor } from "../engine";

const yaml = `name: shop
deploy: { swarm: { parallelism: 2 } }
environments:
  dev: {}
  prod:
    hosts: [ops@manager1]
    deploy:
      engine: swarm
      swarm: { delay: 10s, order: stop-first, monitor: 30s, constraints: ["node.role==worker"], publish: host, secrets: env }
`;

test.each([
  ["dev", undefined, { ...SWARM_DEFAULTS, parallelism: 2 }],
  [
    "prod",
    "swarm",
    {
      ...SWARM_DEFAULTS,
      parallelism: 2,
      delayMs: 10_000,
      order: "stop-first",
      monitorMs: 30_000,
      constraints: ["node.role==worker"],
      publish: "host",
      secrets: "env",
    },
  ],
])("deploy.engine and deploy.swarm of %s", (name, engine, swarm) => {
  const env = resolveEnvironment(parseConfig(yaml, "powertrain.yml"), name);
  expect(env.deploy.engine).toBe(engine);
  expect(env.deploy.swarm).toEqual(swarm);
  expect(engineFor(env).name).toBe(engine ?? "ssh");
});

test("no swarm keys: no swarm section, the ssh engine", () => {
  const env = resolveEnvironment(parseConfig("name: shop\n", "powertrain.yml"));
  expect(env.deploy.swarm).toBeUndefined();
  expect(engineFor(env).name).toBe("ssh");
});

test.each([
  ["deploy: { engine: kubernetes }", /deploy\.engine/],
  ["deploy: { swarm: { order: random } }", /deploy\.swarm\.order/],
  ['deploy: { swarm: { constraints: ["node.role"] } }', /placement constraint/],
  ["deploy: { swarm: { paralelism: 2 } }", /parallelism/],
])("%s is one clear problem", (text, message) => {
  expect(() => parseConfig(`name: shop\n${text}\n`, "powertrain.yml")).toThrow(message);
});
