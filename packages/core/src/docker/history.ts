/**
 * Image layers with the instruction that made each one, from
 * `docker history --no-trunc --human=false --format '{{json .}}'`.
 */
import type { Logger } from "../log";
import { docker } from "./docker";

export interface Layer {
  /** Image ID of the step, or "<missing>" for layers of a pulled base image. */
  id: string;
  /** The Dockerfile instruction, e.g. `RUN npm ci` or `COPY dir:… in /app`. */
  instruction: string;
  /** Bytes added by this step. */
  size: number;
  created: string;
}

interface RawHistory {
  ID: string;
  CreatedBy: string;
  Size: string | number;
  CreatedAt: string;
}

/** One JSON object per line, newest step first (docker's order). */
export function parseHistory(text: string): Layer[] {
  return text
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => {
      const raw = JSON.parse(line) as RawHistory;
      return {
        id: raw.ID,
        instruction: instructionOf(raw.CreatedBy),
        size: toBytes(raw.Size),
        created: raw.CreatedAt,
      };
    });
}

/**
 * The Dockerfile instruction behind a history entry. The classic builder
 * records `/bin/sh -c #(nop) COPY …` for metadata steps and `/bin/sh -c cmd`
 * (prefixed `|N A=b …` when build args are set) for RUN; BuildKit records
 * `RUN /bin/sh -c cmd # buildkit`.
 */
export function instructionOf(createdBy: string): string {
  let s = createdBy.trim();
  s = s.replace(/\s*# buildkit$/, "");
  s = s.replace(/^\|\d+(\s+[^\s=]+=\S*)*\s+/, "");
  const nop = /^\/bin\/sh -c #\(nop\)\s+(.*)$/s.exec(s);
  if (nop) return nop[1]!.trim();
  if (/^RUN /.test(s)) return `RUN ${s.slice(4).replace(/^\/bin\/sh -c /, "")}`;
  const shell = /^\/bin\/sh -c (.*)$/s.exec(s);
  if (shell) return `RUN ${shell[1]!.trim()}`;
  if (/^[A-Z]+ /.test(s)) return s;
  return s ? `RUN ${s}` : "(unknown)";
}

function toBytes(size: string | number): number {
  if (typeof size === "number") return size;
  const n = Number(size);
  return Number.isFinite(n) ? n : 0;
}

export async function imageHistory(ref: string, logger: Logger): Promise<Layer[]> {
  const r = await docker(["history", "--no-trunc", "--human=false", "--format", "{{json .}}", ref], {
    logger,
  });
  return parseHistory(r.stdout);
}
