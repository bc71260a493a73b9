/**
 * Build metadata (build number, commit, branch, tag, run URL) from the CI
 * that runs us — GitHub Actions, Jenkins — or from git on a laptop. The
 * environment and git are parameters so the detection is testable.
 */
import { readFile } from "node:fs/promises";
import { exec } from "../exec/exec";

export interface CiMetadata {
  /** Which CI the values came from. */
  ci: "github" | "jenkins" | "local";
  /** The CI's run number; 0 locally. */
  buildNumber: number;
  /** The commit built: on pull requests the PR head, not the merge commit. */
  sha?: string;
  branch?: string;
  /** The git tag being built (e.g. `v1.2.3`), if any. */
  tagRef?: string;
  /** `1.2.3` from a `v1.2.3` tag. */
  semver?: string;
  eventName?: string;
  /**
   * Set on pull-request builds: the PR number (0 when the CI does not say). Such a build is
   * published under a `pr-<n>-` prefix and gets no branch-gated extra tags.
   */
  pullRequest?: number;
  prHeadSha?: string;
  runId?: string;
  runUrl?: string;
  actor?: string;
  repositoryUrl?: string;
}

/** Runs git with the given arguments and returns its trimmed stdout, or undefined when git fails. */
export type GitRunner = (args: string[]) => Promise<string | undefined>;

export const defaultGit: GitRunner = async (args) => {
  try {
    const r = await exec("git", args, { allowFailure: true });
    return r.exitCode === 0 ? r.stdout.trim() || undefined : undefined;
  } catch {
    return undefined;
  }
};

/** The short form of a sha, as in tags: the first `n` characters. */
export function shortSha(sha: string, n = 7): string {
  return sha.slice(0, n);
}

/** `1.2.3` (or `1.2.3-rc.1`) from `v1.2.3` / `1.2.3`; undefined for anything else. */
export function semverFromTag(tag: string | undefined): string | undefined {
  const m = tag?.match(/^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$/);
  return m?.[1];
}

export async function ciMetadata(
  env: NodeJS.ProcessEnv = process.env,
  git: GitRunner = defaultGit,
): Promise<CiMetadata> {
  if (env.GITHUB_ACTIONS === "true" || env.GITHUB_RUN_NUMBER) return githubMetadata(env, git);
  if (env.JENKINS_URL || env.BUILD_NUMBER) return jenkinsMetadata(env, git);
  return localMetadata(env, git);
}

async function githubMetadata(env: NodeJS.ProcessEnv, git: GitRunner): Promise<CiMetadata> {
  const eventName = env.GITHUB_EVENT_NAME;
  const isPullRequest = Boolean(eventName?.startsWith("pull_request"));
  const event = isPullRequest ? await prEvent(env.GITHUB_EVENT_PATH) : {};
  const prHeadSha = event.headSha;
  const ref = env.GITHUB_REF ?? "";
  const tagRef =
    env.GITHUB_REF_TYPE === "tag"
      ? env.GITHUB_REF_NAME
      : ref.startsWith("refs/tags/")
        ? ref.slice(10)
        : undefined;
  const branch = isPullRequest
    ? env.GITHUB_HEAD_REF || undefined
    : env.GITHUB_REF_TYPE === "branch"
      ? env.GITHUB_REF_NAME
      : ref.startsWith("refs/heads/")
        ? ref.slice(11)
        : undefined;
  const server = env.GITHUB_SERVER_URL ?? "https://github.com";
  const repositoryUrl = env.GITHUB_REPOSITORY ? `${server}/${env.GITHUB_REPOSITORY}` : undefined;
  return {
    ci: "github",
    buildNumber: toBuildNumber(env.GITHUB_RUN_NUMBER),
    sha: prHeadSha ?? env.GITHUB_SHA ?? (await git(["rev-parse", "HEAD"])),
    branch,
    tagRef,
    semver: semverFromTag(tagRef),
    eventName,
    ...(isPullRequest ? { pullRequest: event.number ?? prFromRef(ref) ?? 0 } : {}),
    prHeadSha,
    runId: env.GITHUB_RUN_ID,
    runUrl:
      repositoryUrl && env.GITHUB_RUN_ID ? `${repositoryUrl}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
    actor: env.GITHUB_ACTOR,
    repositoryUrl,
  };
}

/** The PR number and head sha from the event payload; the runner's GITHUB_SHA is the merge commit. */
async function prEvent(eventPath: string | undefined): Promise<{ headSha?: string; number?: number }> {
  if (!eventPath) return {};
  try {
    const payload = JSON.parse(await readFile(eventPath, "utf8")) as {
      pull_request?: { head?: { sha?: unknown }; number?: unknown };
    };
    const sha = payload.pull_request?.head?.sha;
    const number = payload.pull_request?.number;
    return {
      ...(typeof sha === "string" && sha ? { headSha: sha } : {}),
      ...(typeof number === "number" && Number.isInteger(number) && number > 0 ? { number } : {}),
    };
  } catch {
    return {};
  }
}

/** `refs/pull/<n>/merge` (or `/head`) → n. */
function prFromRef(ref: string): number | undefined {
  const m = /^refs\/pull\/(\d+)\//.exec(ref);
  return m ? Number(m[1]) : undefined;
}

async function jenkinsMetadata(env: NodeJS.ProcessEnv, git: GitRunner): Promise<CiMetadata> {
  const tagRef = env.TAG_NAME || undefined;
  const branch = env.BRANCH_NAME || env.GIT_BRANCH?.replace(/^(refs\/heads\/|origin\/)/, "") || undefined;
  return {
    ci: "jenkins",
    buildNumber: toBuildNumber(env.BUILD_NUMBER),
    sha: env.GIT_COMMIT || (await git(["rev-parse", "HEAD"])),
    branch,
    tagRef,
    semver: semverFromTag(tagRef),
    eventName: env.CHANGE_ID ? "pull_request" : undefined,
    ...(env.CHANGE_ID ? { pullRequest: /^\d+$/.test(env.CHANGE_ID) ? Number(env.CHANGE_ID) : 0 } : {}),
    runId: env.BUILD_ID,
    runUrl: env.BUILD_URL,
    actor: env.BUILD_USER_ID,
    repositoryUrl: env.GIT_URL,
  };
}

async function localMetadata(env: NodeJS.ProcessEnv, git: GitRunner): Promise<CiMetadata> {
  const [sha, abbrev, tagRef, remote] = await Promise.all([
    git(["rev-parse", "HEAD"]),
    git(["rev-parse", "--abbrev-ref", "HEAD"]),
    git(["describe", "--tags", "--exact-match", "HEAD"]),
    git(["remote", "get-url", "origin"]),
  ]);
  return {
    ci: "local",
    buildNumber: toBuildNumber(env.POWERTRAIN_BUILD_NUMBER),
    sha,
    // A detached HEAD has no branch.
    branch: abbrev && abbrev !== "HEAD" ? abbrev : undefined,
    tagRef,
    semver: semverFromTag(tagRef),
    actor: env.USER,
    repositoryUrl: remote,
  };
}

function toBuildNumber(value: string | undefined): number {
  const n = Number(value);
  return value && Number.isInteger(n) && n >= 0 ? n : 0;
}
