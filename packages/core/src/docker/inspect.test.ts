import { parseImageInspect, runsAsRoot } from "./inspect";

test.each([
  ["", true],
  ["root", true],
  ["0", true],
  ["0:0", true],
  ["root:app", true],
  ["node", false],
  ["1000", false],
  ["1000:0", false],
  ["65534:65534", false],
])("runsAsRoot(%j) = %j", (user, expected) => {
  expect(runsAsRoot(user)).toBe(expected);
});

test("parseImageInspect reads size, user, labels, health check and ports", () => {
  const json = JSON.stringify([
    {
      Id: "sha256:abc",
      Size: 1234,
      Created: "2026-01-01T00:00:00Z",
      RepoTags: ["app:local"],
      Config: {
        User: "app",
        Labels: { "org.opencontainers.image.title": "app" },
        ExposedPorts: { "8080/tcp": {} },
        Healthcheck: { Test: ["CMD", "wget", "-q", "http://localhost:8080/"], Interval: 1e9, Retries: 3 },
      },
    },
  ]);
  expect(parseImageInspect(json)).toEqual({
    id: "sha256:abc",
    size: 1234,
    user: "app",
    labels: { "org.opencontainers.image.title": "app" },
    healthcheck: {
      test: ["CMD", "wget", "-q", "http://localhost:8080/"],
      intervalNs: 1e9,
      timeoutNs: 0,
      retries: 3,
    },
    repoTags: ["app:local"],
    created: "2026-01-01T00:00:00Z",
    exposedPorts: ["8080/tcp"],
  });
});

test("parseImageInspect tolerates null config parts", () => {
  const info = parseImageInspect(
    JSON.stringify([{ Id: "x", Size: 1, Created: "", Config: { Labels: null } }]),
  );
  expect(info).toMatchObject({
    user: "",
    labels: {},
    healthcheck: undefined,
    exposedPorts: [],
    repoTags: [],
  });
});
