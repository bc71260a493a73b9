/**
 * `--files` extraction does not trust the image with this machine's file system: from a real
 * image holding a symlink to /etc/passwd, hard links, a FIFO, a device node, a setuid file and a
 * large file, only regular files and directories within the size cap come out; a refused path
 * leaves nothing in the destination (not even the paths before it), and no staging directory.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { exec } from "../../packages/core/src/exec/exec";
import { ExtractError } from "../../packages/core/src/extract/errors";
import { extractFiles } from "../../packages/core/src/extract/files";
import { silentLogger } from "../../packages/core/src/log";
import { testEnv } from "../support/env";
import { dockerRmi, tempDir, uniqueName } from "../support/helpers";

jest.setTimeout(120_000);

const env = testEnv();
const image = `${uniqueName("pt-hardening-files")}:hostile`;

beforeAll(async () => {
  const dir = tempDir("pt-hardening-files-build-");
  writeFileSync(
    join(dir, "Dockerfile"),
    [
      `FROM ${env.images.busybox}`,
      "RUN mkdir -p /ok/sub /link /hard /fifo /dev-node /suid && echo hello >/ok/a.txt && echo deep >/ok/sub/b.txt \\",
      " && ln -s /etc/passwd /link/passwd && echo x >/hard/one && ln /hard/one /hard/two \\",
      " && mkfifo /fifo/pipe && mknod /dev-node/null c 1 3 \\",
      " && echo s >/suid/tool && chmod 4777 /suid/tool \\",
      " && dd if=/dev/zero of=/big bs=1024 count=2048 2>/dev/null",
      "",
    ].join("\n"),
  );
  await exec("docker", ["build", "--quiet", "--tag", image, dir], { env: { DOCKER_BUILDKIT: "0" } });
});
afterAll(() => dockerRmi([image]));

function outDir(): string {
  return join(tempDir("pt-hardening-files-"), "out");
}

async function refusal(paths: string[], dir: string, maxBytes?: number): Promise<ExtractError> {
  const err = await extractFiles(image, paths, dir, { logger: silentLogger, maxBytes }).catch(
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ExtractError);
  return err as ExtractError;
}

test("regular files and directories come out; setuid and others' write access are dropped", async () => {
  const dir = outDir();
  await extractFiles(image, ["/ok", "/suid/tool"], dir, { logger: silentLogger });
  expect(readFileSync(join(dir, "ok/a.txt"), "utf8")).toBe("hello\n");
  expect(readFileSync(join(dir, "ok/sub/b.txt"), "utf8")).toBe("deep\n");
  expect((lstatSync(join(dir, "tool")).mode & 0o7777).toString(8)).toBe("755");
  expect(readdirSync(dir).sort()).toEqual(["ok", "tool"]);
});

test.each([
  ["/link", "/link/passwd", "a symbolic link"],
  ["/hard", "/hard/one", "a hard link"],
  ["/fifo/pipe", "/fifo/pipe", "a FIFO"],
  ["/dev-node", "/dev-node/null", "a device"],
])("%s: %s is refused as %s, and nothing reaches the destination", async (path, where, kind) => {
  const dir = outDir();
  const err = await refusal(["/ok", path], dir);
  expect({ kind: err.kind, message: err.message }).toEqual({
    kind: "not-a-regular-file",
    message: `${where} in image ${image} is ${kind}: only regular files and directories are extracted`,
  });
  expect(readdirSync(dir)).toEqual([]);
});

test("a symlink named directly is refused too", async () => {
  const err = await refusal(["/link/passwd"], outDir());
  expect(err.message).toContain("/link/passwd in image");
});

test("more than the size cap: refused, nothing extracted", async () => {
  const dir = outDir();
  const err = await refusal(["/ok", "/big"], dir, 1024 * 1024);
  expect({ kind: err.kind, message: err.message }).toEqual({
    kind: "file-too-large",
    message: `the files asked of image ${image} hold more than 1048576 bytes (at /big); nothing was extracted`,
  });
  expect(readdirSync(dir)).toEqual([]);
  await extractFiles(image, ["/big"], dir, { logger: silentLogger, maxBytes: 4 * 1024 * 1024 });
  expect(lstatSync(join(dir, "big")).size).toBe(2048 * 1024);
});

test("a symlink planted at the destination is replaced, not followed", async () => {
  const dir = outDir();
  mkdirSync(dir, { recursive: true });
  const victim = join(tempDir("pt-hardening-victim-"), "victim");
  writeFileSync(victim, "keep me");
  symlinkSync(victim, join(dir, "a.txt"));
  await extractFiles(image, ["/ok/a.txt"], dir, { logger: silentLogger });
  expect(readFileSync(victim, "utf8")).toBe("keep me");
  expect(lstatSync(join(dir, "a.txt")).isFile()).toBe(true);
  expect(existsSync(join(dir, "a.txt"))).toBe(true);
});
