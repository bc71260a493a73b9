/**
 * `powertrain import`: turns the old Makefile-style config (powertrain.mk:
 * `NAME := renderer`, `PORTS = 8000-8099:8080`, `ENVS = -e KEY=value` …) into
 * a powertrain.yml. Forgiving: whatever it cannot map is reported with its
 * line instead of failing, and what it writes always validates.
 */
import { Document, isMap, isPair, isScalar, type Pair } from "yaml";
import type { z } from "zod";
import {
  expand,
  type ImportNote,
  type MakeVariable,
  parseMakefile,
  splitWords,
} from "./legacy-makefile-parse";
import { findReferences } from "./references";
import { CommandLine, HealthCheck, ImageSettings, PortMapping, RunConfig, Volume } from "./schema";
import { toAppName } from "./starter";

export { type ImportNote, type MakeVariable, parseMakefile, splitWords } from "./legacy-makefile-parse";

export interface ImportResult {
  /** The powertrain.yml text, with comments naming where each setting came from. */
  yaml: string;
  /** What was not mapped, in line order. */
  unmapped: ImportNote[];
}

/** A run setting with the variable it came from, for a comment in the output. */
interface Mapped {
  path: string[];
  value: unknown;
  from: string;
}

/** Convert a powertrain.mk's text. `fallbackName` (e.g. the directory's name) is used when NAME is missing. */
export function importLegacyMakefile(
  text: string,
  fallbackName: string,
  file = "powertrain.mk",
): ImportResult {
  const { variables, other } = parseMakefile(text);
  const unmapped: ImportNote[] = [...other];
  const known = new Map(variables.map((v) => [v.name, v.value]));
  const mapped: Mapped[] = [];
  const env: Record<string, string> = {};
  const labels: Record<string, string> = {};
  const ports: string[] = [];
  const volumes: string[] = [];
  let name = toAppName(fallbackName);
  let nameFrom = `the directory name (no NAME in ${file})`;

  const note = (v: MakeVariable, reason: string) => unmapped.push({ variable: v.name, line: v.line, reason });
  const valid = (schema: z.ZodType, value: unknown) => schema.safeParse(value).success;
  const from = (v: MakeVariable) => `${v.name} (${file}:${v.line})`;
  const runScriptFrom = (v: MakeVariable) =>
    `${from(v)}; it now runs in a one-off container of the new image before any instance changes, so the command must exist in the image (docs/hooks.md)`;

  /** docker run flags: -e, -p, -v, -l, --restart, --init, -m … Returns the words it did not understand. */
  const runFlags = (v: MakeVariable, words: string[]): string[] => {
    const rest: string[] = [];
    for (let i = 0; i < words.length; i++) {
      const word = words[i]!;
      const eq = word.indexOf("=");
      const flag = word.startsWith("--") && eq > 0 ? word.slice(0, eq) : word;
      const take = () => (word.startsWith("--") && eq > 0 ? word.slice(eq + 1) : words[++i]);
      switch (flag) {
        case "-e":
        case "--env":
          addEnv(v, take());
          break;
        case "-p":
        case "--publish":
          addPort(v, take());
          break;
        case "-v":
        case "--volume":
          addVolume(v, take());
          break;
        case "-l":
        case "--label":
          addLabel(v, take());
          break;
        case "--restart":
        case "-m":
        case "--memory":
        case "--cpus":
        case "-u":
        case "--user":
        case "--network":
        case "--net":
        case "--stop-timeout":
        case "--stop-signal":
        case "--entrypoint":
          setRun(v, flagKey(flag), take());
          break;
        case "--init":
          mapped.push({ path: ["run", "init"], value: true, from: from(v) });
          break;
        case "-d":
        case "--detach":
        case "--rm":
        case "-it":
        case "-i":
        case "-t":
          break; // powertrain always runs containers detached and manages their removal itself
        default:
          rest.push(word);
      }
    }
    return rest;
  };

  const setRun = (v: MakeVariable, key: string, raw: string | undefined) => {
    let value: unknown = raw;
    if (key === "cpus" && raw !== undefined) value = Number(raw);
    if (key === "stop-timeout" && raw !== undefined && /^\d+$/.test(raw)) value = `${raw}s`;
    const schema = (RunConfig.shape as Record<string, z.ZodType>)[key];
    if (raw === undefined || !schema || !valid(schema, value))
      note(v, `cannot use ${JSON.stringify(raw ?? "")} as run.${key}`);
    else mapped.push({ path: ["run", key], value, from: from(v) });
  };
  const addEnv = (v: MakeVariable, item: string | undefined) => {
    if (!item) return note(v, "-e without a value");
    const eq = item.indexOf("=");
    const key = eq < 0 ? item : item.slice(0, eq);
    // `-e KEY` passes KEY through from the environment: that is a deploy-time reference now.
    const value = eq < 0 ? `\${${item}}` : item.slice(eq + 1);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return note(v, `${JSON.stringify(item)} is not KEY=value`);
    try {
      findReferences(value);
    } catch {
      return note(v, `${JSON.stringify(item)} has a value powertrain cannot reference`);
    }
    env[key] = value;
  };
  const addLabel = (v: MakeVariable, item: string | undefined) => {
    const eq = item?.indexOf("=") ?? -1;
    if (!item || eq <= 0) return note(v, `label ${JSON.stringify(item ?? "")} is not KEY=value`);
    labels[item.slice(0, eq)] = item.slice(eq + 1);
  };
  const addPort = (v: MakeVariable, item: string | undefined) => {
    const port = item?.replace(/^127\.0\.0\.1:|^0\.0\.0\.0:/, "");
    if (port && valid(PortMapping, port)) ports.push(port);
    else
      note(
        v,
        `port ${JSON.stringify(item ?? "")} is not "CONTAINER", "HOST:CONTAINER" or "FROM-TO:CONTAINER"`,
      );
  };
  const addVolume = (v: MakeVariable, item: string | undefined) => {
    if (item && valid(Volume, item)) volumes.push(item);
    else note(v, `volume ${JSON.stringify(item ?? "")} is not "SOURCE:TARGET[:ro]"`);
  };

  for (const v of variables) {
    let value: string;
    try {
      value = expand(v.value, known);
    } catch (err) {
      note(v, (err as Error).message);
      continue;
    }
    let words: string[];
    try {
      words = splitWords(value);
    } catch (err) {
      note(v, (err as Error).message);
      continue;
    }
    if (words.length === 0) continue;
    switch (v.name) {
      case "NAME":
      case "APP":
      case "APP_NAME": {
        name = toAppName(value);
        nameFrom = from(v);
        if (name !== value)
          unmapped.push({ variable: v.name, line: v.line, reason: `renamed to "${name}" (lower-case)` });
        break;
      }
      case "REGISTRY": {
        const [host, ...path] = value
          .replace(/^https?:\/\//, "")
          .replace(/\/+$/, "")
          .split("/");
        const image = {
          registry: host,
          ...(path.length > 0 ? { repository: [...path, "app"].join("/") } : {}),
        };
        if (!valid(ImageSettings, image)) {
          note(v, `${JSON.stringify(value)} is not "host[:port][/path]"`);
          break;
        }
        mapped.push({ path: ["image", "registry"], value: host, from: from(v) });
        if (path.length > 0)
          mapped.push({ path: ["image", "repository"], value: [...path, "{name}"].join("/"), from: from(v) });
        break;
      }
      case "INSTANCES":
        if (/^[1-9]\d*$/.test(value.trim())) {
          mapped.push({ path: ["run", "instances"], value: Number(value), from: from(v) });
        } else {
          note(v, `${JSON.stringify(value)} is not a positive number of instances`);
        }
        break;
      case "PORTS":
      case "PORT":
        for (const w of words) addPort(v, w);
        break;
      case "VOLUMES":
        for (const w of words) addVolume(v, w);
        break;
      case "ENVS":
      case "ENV":
      case "LABELS": {
        const add = v.name === "LABELS" ? addLabel : addEnv;
        const flags = v.name === "LABELS" ? ["-l", "--label"] : ["-e", "--env"];
        for (let i = 0; i < words.length; i++) {
          const w = words[i]!;
          if (flags.includes(w)) add(v, words[++i]);
          else if (w.startsWith("--") && w.includes("=") && flags.includes(w.slice(0, w.indexOf("=")))) {
            add(v, w.slice(w.indexOf("=") + 1));
          } else add(v, w);
        }
        break;
      }
      case "RUN_SCRIPT":
      case "CMD":
      case "COMMAND": {
        // RUN_SCRIPT ran before the new containers (migrations): a pre-deploy hook now.
        const hook = v.name === "RUN_SCRIPT";
        const command = /[|&;<>()$`*?~]/.test(value) ? value : words;
        if (!valid(CommandLine, command)) note(v, "cannot be used as a command");
        else if (hook)
          mapped.push({ path: ["deploy", "hooks", "pre-deploy"], value: command, from: runScriptFrom(v) });
        else mapped.push({ path: ["run", "command"], value: command, from: from(v) });
        break;
      }
      case "ENTRY_POINT":
      case "ENTRYPOINT":
        mapped.push({ path: ["run", "entrypoint"], value: words, from: from(v) });
        break;
      case "RUN_MODE":
      case "RUN_ARGS":
      case "RUN_OPTS":
      case "DOCKER_ARGS":
      case "DOCKER_RUN_ARGS": {
        const rest = runFlags(v, words);
        if (rest.length > 0) note(v, `docker run options not converted: ${rest.join(" ")}`);
        break;
      }
      case "HEALTHCHECK":
      case "HEALTH_URL":
      case "HEALTH_PATH": {
        const path = value.replace(/^https?:\/\/[^/]+/, "");
        if (valid(HealthCheck, { http: path }))
          mapped.push({ path: ["run", "health", "http"], value: path, from: from(v) });
        else note(v, `${JSON.stringify(value)} is not an HTTP path`);
        break;
      }
      case "DOCKERFILE":
        mapped.push({ path: ["build", "dockerfile"], value, from: from(v) });
        break;
      case "VERSION":
        note(
          v,
          'not needed: image tags come from tags.version ("{build}-{sha:7}": CI build number and commit)',
        );
        break;
      default:
        note(v, "no powertrain.yml equivalent known");
    }
  }

  if (ports.length > 0) mapped.push({ path: ["run", "ports"], value: ports, from: "PORTS / -p" });
  if (volumes.length > 0) mapped.push({ path: ["run", "volumes"], value: volumes, from: "VOLUMES / -v" });
  if (Object.keys(env).length > 0) mapped.push({ path: ["run", "env"], value: env, from: "ENVS / -e" });
  if (Object.keys(labels).length > 0)
    mapped.push({ path: ["run", "labels"], value: labels, from: "LABELS / -l" });
  for (const m of mapped)
    if (m.path.join(".") === "image.repository") m.value = String(m.value).replace("{name}", name);

  unmapped.sort((a, b) => a.line - b.line);
  return { yaml: render(name, nameFrom, mapped, file), unmapped };
}

function flagKey(flag: string): string {
  const keys: Record<string, string> = {
    "-m": "memory",
    "--memory": "memory",
    "-u": "user",
    "--net": "network",
  };
  return keys[flag] ?? flag.replace(/^--/, "");
}

function render(name: string, nameFrom: string, mapped: Mapped[], file: string): string {
  const data: Record<string, Record<string, unknown> | unknown> = { schema: 1, name };
  for (const m of mapped) {
    let target = data as Record<string, unknown>;
    for (const key of m.path.slice(0, -1)) {
      target[key] ??= {};
      target = target[key] as Record<string, unknown>;
    }
    target[m.path.at(-1)!] = m.value;
  }
  const doc = new Document(data);
  doc.commentBefore = ` Converted from ${file} by \`powertrain import\`; review it, then delete ${file}.\n Reference: docs/config.md`;
  const comments = new Map<string, string>([["name", `from ${nameFrom}`]]);
  for (const m of mapped) comments.set(m.path.join("."), `from ${m.from}`);
  commentKeys(doc.contents, [], comments);
  return doc.toString({ lineWidth: 0 });
}

/** Put "from VAR (file:line)" above each key that came from the Makefile. */
function commentKeys(node: unknown, path: string[], comments: Map<string, string>): void {
  if (!isMap(node)) return;
  for (const pair of node.items as Pair[]) {
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    const keyPath = [...path, String(pair.key.value)];
    const comment = comments.get(keyPath.join("."));
    if (comment) pair.key.commentBefore = ` ${comment}`;
    commentKeys(pair.value, keyPath, comments);
  }
}
