/**
 * extractFiles against the real dockerd: files come out of a container that
 * is created but never started, and the container is removed whether the
 * copy worked or not — also when the daemon has to pull the image first.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { exec } from "../../packages/core/src/exec/exec";
import { ExtractError } from "../../packages/core/src/extract/errors";
import { extractFiles } from "../../packages/core/src/extract/files";
import { dockerRmi, tempDir } from "../support/helpers";
import {
  cleanUpAfterAll,
  credentials,
  type Published,
  publish,
  sealEnvironment,
  silent,
} from "./support/fixture";
import { containersOf, DEPLOY_SCRIPT } from "./support/images";

jest.setTimeout(120_000);

let image: Published;
let imageId: string;

sealEnvironment();
cleanUpAfterAll();

beforeAll(async () => {
  image = await publish("pt-test-extract-files");
  imageId = (await exec("docker", ["image", "inspect", "--format", "{{.Id}}", image.local])).stdout.trim();
});

test("copies files out of a never-started container and removes it", async () => {
  const dir = join(tempDir("pt-test-extract-files-"), "out");
  const targets = await extractFiles(image.pinned, ["/app/deploy.sh", "/id"], dir, { logger: silent });
  expect(targets).toEqual([
    { source: "/app/deploy.sh", destination: join(dir, "deploy.sh") },
    { source: "/id", destination: join(dir, "id") },
  ]);
  expect(readFileSync(join(dir, "deploy.sh"), "utf8")).toBe(DEPLOY_SCRIPT);
  expect(statSync(join(dir, "deploy.sh")).mode & 0o111).not.toBe(0);
  expect(await containersOf(imageId)).toEqual([]);
});

test("a path the image does not have: a one-line error, and the container is still removed", async () => {
  const dir = tempDir("pt-test-extract-files-");
  const err = await extractFiles(image.local, ["/app/deploy.sh", "/app/missing.sh"], dir, {
    logger: silent,
  }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ExtractError);
  expect((err as ExtractError).kind).toBe("file-not-found");
  expect((err as Error).message).toBe(`file /app/missing.sh not found in image ${image.local}`);
  expect(await containersOf(imageId)).toEqual([]);
});

test("an image only in the registry is pulled with a login of its own; the docker config stays untouched", async () => {
  const remote = await publish("pt-test-extract-pull");
  await dockerRmi([remote.local, remote.tagged]);
  const gone = await exec("docker", ["image", "inspect", remote.pinned], { allowFailure: true });
  expect(gone.exitCode).not.toBe(0);
  try {
    const dir = tempDir("pt-test-extract-files-");
    await extractFiles(remote.pinned, ["/app/deploy.sh"], dir, {
      logger: silent,
      credentials: credentials(),
    });
    expect(readFileSync(join(dir, "deploy.sh"), "utf8")).toBe(DEPLOY_SCRIPT);
    expect(await containersOf(remote.pinned)).toEqual([]);
    expect(readdirSync(process.env.DOCKER_CONFIG!)).toEqual([]);
  } finally {
    await dockerRmi([remote.pinned]);
  }
});
