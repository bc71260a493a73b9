import { UsageError } from "../errors";
import { toPlatform } from "./extract-config";
import { planFileTargets } from "./files";
import { pinLocal } from "./local-source";

test.each([
  [["/app/deploy.sh"], ["/out/deploy.sh"]],
  [
    ["/app/scripts/", "/etc/app.conf"],
    ["/out/scripts", "/out/app.conf"],
  ],
  [["/srv/./x/../run.sh"], ["/out/run.sh"]],
])("files %j land in %j", (paths, destinations) => {
  expect(planFileTargets(paths, "/out").map((t) => t.destination)).toEqual(destinations);
});

test.each([
  [["app/deploy.sh"], /expected an absolute path/],
  [["/"], /not the root/],
  [["/a/run.sh", "/b/run.sh"], /would both be written to run\.sh/],
])("files %j are refused", (paths, message) => {
  expect(() => planFileTargets(paths, "/out")).toThrow(UsageError);
  expect(() => planFileTargets(paths, "/out")).toThrow(message);
});

const ID = `sha256:${"a".repeat(64)}`;
const DIGEST = `sha256:${"b".repeat(64)}`;

test.each([
  [
    "a pushed image pins to its repo digest",
    "127.0.0.1:5000/shop/web:7",
    [`127.0.0.1:5000/shop/web@${DIGEST}`],
    `127.0.0.1:5000/shop/web@${DIGEST}`,
  ],
  [
    "a digest of another repository is not used",
    "127.0.0.1:5000/shop/web:7",
    [`127.0.0.1:5000/other@${DIGEST}`],
    ID,
  ],
  [
    "a Docker Hub name matches its short form",
    "busybox:1",
    [`busybox@${DIGEST}`],
    `docker.io/library/busybox@${DIGEST}`,
  ],
  ["a local-only image pins to its ID", "web:dev", [], ID],
  ["an image ID stays the ID", ID, [], ID],
])("%s", (_what, image, repoDigests, pinned) => {
  expect(pinLocal(image, ID, repoDigests)).toBe(pinned);
});

test.each([
  [undefined, { os: "linux", architecture: "amd64" }],
  ["linux/arm64", { os: "linux", architecture: "arm64" }],
  ["linux/arm/v7", { os: "linux", architecture: "arm", variant: "v7" }],
])("platform %s", (text, platform) => {
  expect(toPlatform(text)).toEqual(platform);
});

test.each(["linux", "Linux/AMD64", "linux/amd64/v8/x"])("platform %s is refused", (text) => {
  expect(() => toPlatform(text)).toThrow(/invalid platform/);
});
