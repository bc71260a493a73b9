import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, isUserError } from "../errors";
import { loadDeployEnvironments, loadEnvironment } from "./environment-source";
import { parseConfig } from "./load";
import { resolveEnvironment } from "./resolve";
import { parseResolvedDocument, RESOLVED_SCHEMA, toResolvedDocument } from "./resolved";

const env = resolveEnvironment(
  parseConfig(
    `name: shop
run: { ports: ["8000-8099:8080"], env: { TOKEN: "\${TOKEN}" }, health: { http: /healthz } }
environments:
  prod: { hosts: [deploy@prod1:2222], deploy: { strategy: blue-green, router: { type: nginx } } }
`,
    "powertrain.yml",
  ),
  "prod",
);
const doc = (patch: (d: Record<string, unknown>) => void = () => {}) => {
  const d = JSON.parse(JSON.stringify(toResolvedDocument(env))) as Record<string, unknown>;
  patch(d);
  return JSON.stringify(d);
};
// biome-ignore lint/suspicious/noExplicitAny: a document patched field by field, as a hostile writer would
type Doc = any;

const problems = (text: string): string[] => {
  try {
    parseResolvedDocument(text, "r.json");
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error("expected a ConfigError");
};

test("a document extract-config writes reads back as the same environment", () => {
  expect(JSON.parse(doc()).schema).toBe(RESOLVED_SCHEMA);
  expect(parseResolvedDocument(doc(), "r.json")).toEqual(env);
});

test.each<[string, (d: Doc) => void, RegExp]>([
  [
    "a host that is an ssh option",
    (d) => {
      d.hosts[0].host = "-oProxyCommand=touch pwned";
    },
    /^hosts\.0\.host: /,
  ],
  [
    "a user with a space",
    (d) => {
      d.hosts[0].user = "a b";
    },
    /^hosts\.0\.user: /,
  ],
  [
    "an env name that is shell text",
    (d) => {
      d.run.env["X;touch y"] = "1";
    },
    /^run\.env\.X;touch y: /,
  ],
  [
    "an unknown key",
    (d) => {
      d.deploy.surprise = 1;
    },
    /deploy: .*surprise/i,
  ],
  [
    "a port out of range",
    (d) => {
      d.run.ports[0].container = 70000;
    },
    /^run\.ports\.0\.container: /,
  ],
  [
    "an unknown strategy",
    (d) => {
      d.deploy.strategy = "yolo";
    },
    /^deploy\.strategy: /,
  ],
  [
    "a url that is not http(s)",
    (d) => {
      d.url = "javascript:alert(1)";
    },
    /^url: /,
  ],
  [
    "a url with a quote in it",
    (d) => {
      d.url = 'https://shop.example.com/"onmouseover=x';
    },
    /^url: /,
  ],
  [
    "no schema tag",
    (d) => {
      delete d.schema;
    },
    /^schema: no schema field/,
  ],
  [
    "another schema",
    (d) => {
      d.schema = "powertrain/resolved-environment/v9";
    },
    /^schema: schema "powertrain\/resolved-environment\/v9"/,
  ],
])("refused, naming the field: %s", (_, patch, expected) => {
  expect(problems(doc(patch)).join("\n")).toMatch(expected);
});

test("an env named __proto__ is dropped, never made a prototype", () => {
  const text = doc().replace('"env":{', '"env":{"__proto__":{"polluted":"yes"},');
  const parsed = parseResolvedDocument(text, "r.json");
  expect(Object.keys(parsed.run.env)).toEqual(["TOKEN"]);
  expect((parsed.run.env as Record<string, unknown>).polluted).toBeUndefined();
});

test("not JSON at all is a config error too", () => {
  expect(problems("{ nope")[0]).toMatch(/^: not JSON/);
});

describe("loadEnvironment", () => {
  const dir = mkdtempSync(join(tmpdir(), "pt-resolved-"));

  test("reads inline JSON and files, and checks the environment asked for", async () => {
    const file = join(dir, "r.json");
    writeFileSync(file, doc());
    await expect(loadEnvironment({ environment: "prod", resolved: file })).resolves.toEqual(env);
    await expect(loadEnvironment({ environment: "prod", resolved: doc() })).resolves.toEqual(env);
    const other = loadEnvironment({ environment: "dev", resolved: file });
    await expect(other).rejects.toThrow(/is the resolved environment "prod", not "dev"/);
  });

  test("a missing file is a usage error", async () => {
    const err = await loadEnvironment({ environment: "prod", resolved: join(dir, "nope.json") }).catch(
      (e) => e,
    );
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toMatch(/cannot read .*nope\.json: ENOENT/);
  });

  test("without a document, powertrain.yml is resolved", async () => {
    const file = join(dir, "powertrain.yml");
    writeFileSync(file, "name: shop\nenvironments: { dev: { hosts: [h1] } }\n");
    const loaded = await loadEnvironment({ environment: "dev", configFile: file });
    expect(loaded.hosts).toEqual([{ host: "h1" }]);
  });
});

describe("loadDeployEnvironments", () => {
  const dir = mkdtempSync(join(tmpdir(), "pt-deploy-envs-"));

  test("the image's run configuration on the deploy side's hosts, router and policy", async () => {
    const image = join(dir, "image.json");
    writeFileSync(image, doc());
    const file = join(dir, "powertrain.yml");
    writeFileSync(
      file,
      `name: shop
run: { instances: 9, ports: ["8443:8080"] }
environments:
  prod:
    hosts: [deploy@new-prod1, deploy@new-prod2]
    url: "https://{host}:{port}/"
    deploy: { router: { type: command, command: [lb] }, verify: { key: k.pub } }
`,
    );
    const loaded = await loadDeployEnvironments({ environment: "prod", resolved: image, configFile: file });
    expect(loaded.environment.hosts.map((h) => h.host)).toEqual(["new-prod1", "new-prod2"]);
    expect(loaded.environment.deploy.router).toEqual({ type: "command", command: ["lb"] });
    expect(loaded.environment.deploy.verify).toEqual({ key: "k.pub", require: ["signature"] });
    // The URL is infrastructure too: the deploy side's.
    expect(loaded.environment.url).toBe("https://new-prod1:8443/");
    // The run configuration and the rollout settings stay the image's.
    expect(loaded.environment.run).toEqual(env.run);
    expect(loaded.environment.deploy.strategy).toBe("blue-green");
    expect(loaded.image?.hosts.map((h) => h.host)).toEqual(["prod1"]);
    expect(loaded.deploySide?.run.instances).toBe(9);
  });

  test("one source alone is used as it is", async () => {
    const image = join(dir, "only.json");
    writeFileSync(image, doc());
    const loaded = await loadDeployEnvironments({ environment: "prod", resolved: image });
    expect(loaded.environment).toEqual(env);
    expect(loaded.deploySide).toBeUndefined();
  });
});
