/** The image's labels from the local docker daemon (`docker image inspect`), for images built or pulled here. */
import { docker } from "../docker/docker";
import { PowertrainError } from "../errors";
import type { Logger } from "../log";
import { parseReference } from "../registry/reference";

export interface LocalImage {
  labels: Record<string, string>;
  /** A repo digest of the same repository when the image was pushed or pulled, else the image ID. */
  pinned: string;
  id: string;
}

interface RawInspect {
  Id: string;
  RepoDigests?: string[] | null;
  Config?: { Labels?: Record<string, string> | null } | null;
}

/** The local image, or undefined when the daemon does not have it; other docker failures throw. */
export async function readFromLocal(image: string, logger: Logger): Promise<LocalImage | undefined> {
  const r = await docker(["image", "inspect", image], { logger, allowFailure: true });
  if (r.exitCode !== 0) {
    if (/no such (image|object)/i.test(r.stderr)) return undefined;
    throw new PowertrainError(`cannot inspect local image ${image}: ${r.stderr.trim().split("\n").pop()}`);
  }
  const [raw] = JSON.parse(r.stdout) as RawInspect[];
  if (!raw) return undefined;
  return {
    labels: raw.Config?.Labels ?? {},
    pinned: pinLocal(image, raw.Id, raw.RepoDigests ?? []),
    id: raw.Id,
  };
}

/** The repo digest whose repository is the one `image` names, so deploy hosts can pull it; else the ID. */
export function pinLocal(image: string, id: string, repoDigests: readonly string[]): string {
  const wanted = tryParse(image);
  if (!wanted) return id;
  for (const digest of repoDigests) {
    const candidate = tryParse(digest);
    if (
      candidate?.digest &&
      candidate.registry === wanted.registry &&
      candidate.repository === wanted.repository
    ) {
      return `${candidate.registry}/${candidate.repository}@${candidate.digest}`;
    }
  }
  return id;
}

function tryParse(text: string) {
  try {
    return parseReference(text);
  } catch {
    return undefined;
  }
}
