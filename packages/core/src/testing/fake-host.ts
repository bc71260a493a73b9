/**
 * A fake Docker host for unit tests of the SSH engine's orchestration: it answers the remote
 * scripts (remote/*.sh) by name and the few plain docker commands the engine runs, over an
 * in-memory model of containers, images, locks and state files. No sshd, no docker: a deploy
 * runs in milliseconds, and a test can make a host unhealthy, its lock busy, or lose it mid-way.
 * The real scripts are covered by the integration tests against real hosts.
 */
import type { HostSession, OpenHosts } from "../deploy/hosts";
import { LABEL } from "../deploy/labels";
import type { ExecResult } from "../exec/exec";
import { type RemoteScript, scriptOf } from "../remote";
import { SshError } from "../ssh/errors";
import type { RemoteHost, RemoteRunOptions } from "../ssh/session";
import { describeTarget, type SshTarget } from "../ssh/target";

export interface FakeContainer {
  id: string;
  name: string;
  state: "running" | "exited" | "created";
  labels: Record<string, string>;
  image: string;
  ports: { container: number; host: number; protocol: string }[];
  created: string;
}

export interface FakeBehaviour {
  /** New containers of an image whose ref matches never become healthy. */
  unhealthy?: RegExp;
  /** `docker pull` fails. */
  pullFails?: boolean;
  /** Another deploy holds every lock (owner text). */
  lockHeldBy?: string;
  /** The connection is lost after this many commands (every later one fails like a dead ssh). */
  lostAfterCommands?: number;
  /** How a one-off container (a hook, hook.sh) ends; default: exit 0, no output. */
  oneOff?: (run: FakeOneOff) => FakeOneOffEnd;
  /** Exit status of an attached `powertrain run` container (default 0). */
  attachExitCode?: number;
  /** What the router's metrics command `lb-metrics` prints, given its stdin request. */
  metrics?: (request: { since: number; cursor: string | null }) => unknown;
}

/** A one-off container as the fake host saw it start. */
export interface FakeOneOff {
  /** Its dev.powertrain.one-off label: the hook's name, or "run". */
  kind: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  /** What followed the image: the rest of the entrypoint, then the command. */
  command: string[];
  /** The env file lines it got on stdin. */
  env: Record<string, string>;
}

export type FakeOneOffEnd =
  | { exitCode?: number; output?: string[] }
  | { timeout: true }
  | { startFails: string };

const ok = (stdout = "", exitCode = 0, stderr = ""): ExecResult => ({
  command: "",
  exitCode,
  stdout,
  stderr,
});

let clock = Date.parse("2026-01-01T00:00:00Z");
function tick(): string {
  clock += 1000;
  return new Date(clock).toISOString();
}

export class FakeHost implements RemoteHost {
  readonly name: string;
  readonly containers = new Map<string, FakeContainer>();
  readonly images = new Set<string>();
  /** Files under the state directory (~/.powertrain): history, canary, idle, routes/…. */
  readonly files = new Map<string, string>();
  readonly locks = new Map<string, string>();
  /** What ran, in order: a script's name, or the plain command line. */
  readonly calls: string[] = [];
  /** The last stdin each script or command was handed (how env values and credentials travel). */
  readonly inputs = new Map<string, string>();
  /** One-off containers run (hooks) or created (`powertrain run`), in order. */
  readonly oneOffs: FakeOneOff[] = [];
  behaviour: FakeBehaviour = {};
  private count = 0;

  constructor(readonly target: SshTarget) {
    this.name = describeTarget(target);
  }

  /** Containers of an app as a test reads them: name → state and version. */
  running(app?: string): FakeContainer[] {
    return [...this.containers.values()].filter(
      (c) => c.state === "running" && (!app || c.labels[LABEL.app] === app),
    );
  }

  async run(args: readonly string[], options: RemoteRunOptions = {}): Promise<ExecResult> {
    this.count++;
    const lost = this.behaviour.lostAfterCommands;
    if (lost !== undefined && this.count > lost) {
      throw new SshError(this.target.host, `ssh to ${this.name} failed: Connection closed by remote host`);
    }
    const script = scriptOf(args);
    this.calls.push(script ? script.name : args.join(" "));
    const input = options.input === undefined ? "" : String(options.input);
    this.inputs.set(this.calls.at(-1)!, input);
    let r = script ? this.script(script.name, script.args, input) : this.command(args, input);
    if (options.onLine) {
      // As exec does: every line to onLine, none kept.
      for (const line of [...r.stdout.split("\n"), ...r.stderr.split("\n")]) if (line) options.onLine(line);
      r = { ...r, stdout: "", stderr: "" };
    }
    if (r.exitCode !== 0 && !options.allowFailure) {
      throw new Error(`fake ${this.name}: ${args[0]} exited with ${r.exitCode}: ${r.stdout}${r.stderr}`);
    }
    return r;
  }

  private script(name: RemoteScript, a: string[], input: string): ExecResult {
    switch (name) {
      case "observe":
        return ok(this.observe(a[3]!, a[2]));
      case "lock":
        return this.lock(a);
      case "heartbeat":
        return ok("", this.locks.get(a[0]!)?.includes(`deploy-id: ${a[1]}`) ? 0 : 1);
      case "unlock":
        if (a[2]) this.append(a[2], a[3]!);
        if (this.locks.get(a[0]!)?.includes(`deploy-id: ${a[1]}`)) this.locks.delete(a[0]!);
        return ok();
      case "record-history":
        this.append(a[0]!, a[1]!);
        return ok();
      case "pull":
        if (this.behaviour.pullFails) return ok("", 1, "pull access denied");
        this.images.add(a[0]!);
        return ok(`${a[0]}\n`);
      case "start-health":
        return this.startHealth(a);
      case "health":
        return this.health(a);
      case "start-kept":
        for (const n of a) this.set(n, "running");
        return ok();
      case "state":
        if (a[0] === "read") return ok(this.files.get(a[1]!) ?? "");
        if (a[0] === "write") this.files.set(a[1]!, input);
        else this.files.delete(a[1]!);
        return ok();
      case "idle-timer":
        this.files.set(a[0]!, [a[1], ...a.slice(3)].join("\n"));
        return ok();
      case "command-apply":
        this.files.set(`routes/${a[0]}`, input);
        return ok();
      case "route-state":
        return ok(this.files.get(`routes/${a[0]}`) ?? "");
      case "hook":
        return this.hook(a, input);
      case "one-off-create": {
        const run = this.oneOff(unquote(a[0]!), input);
        this.containers.set(run.name, {
          ...this.blank(run.name),
          state: "created",
          labels: run.labels,
          image: run.image,
        });
        return ok();
      }
      default:
        return ok("", 2, `fake host: no ${name}`);
    }
  }

  private command(args: readonly string[], input: string): ExecResult {
    const [cmd, sub, ...rest] = args;
    if (cmd === "lb-metrics" && this.behaviour.metrics)
      return ok(JSON.stringify(this.behaviour.metrics(JSON.parse(input))));
    if (cmd === "sh" && args[2]?.startsWith("command -v")) return ok(); // a router's check
    if (cmd === "true") return ok(); // a connection check
    if (cmd !== "docker") return ok("", 127, `fake host: ${cmd}: not found`);
    const names = rest.filter((x) => !x.startsWith("-"));
    switch (sub) {
      case "stop":
        for (const n of names) this.set(n, "exited");
        return ok();
      case "rm":
        for (const n of names) this.containers.delete(n);
        return ok();
      case "logs":
        return ok(`log line of ${names.at(-1)}\n`);
      case "image":
        return ok("", this.images.has(names.at(-1)!) ? 0 : 1);
      default:
        return ok("", 1, `fake host: docker ${sub}`);
    }
  }

  private lock(a: string[]): ExecResult {
    const [name, owner] = a as [string, string];
    const holder = this.behaviour.lockHeldBy ?? (this.locks.has(name) ? this.locks.get(name) : undefined);
    if (holder !== undefined) return ok(`TIMEOUT ${holder}\n`, 3);
    this.locks.set(name, owner);
    return ok(`ACQUIRED\n${a.length > 4 ? `@@observe\n${this.observe(a[7]!, a[6])}` : ""}`);
  }

  /** What observe.sh prints: every container's inspect JSON, no ports listened on, the history file. */
  private observe(historyFile: string, image?: string): string {
    const inspect = [...this.containers.values()].map((c) => ({
      Id: c.id,
      Name: `/${c.name}`,
      Created: c.created,
      State: { Status: c.state, ...(c.state === "running" ? { StartedAt: c.created } : {}) },
      Config: { Labels: c.labels },
      NetworkSettings: { Networks: { bridge: { IPAddress: "172.17.0.2" } } },
      HostConfig: {
        PortBindings: Object.fromEntries(
          c.ports.map((p) => [`${p.container}/${p.protocol}`, [{ HostPort: String(p.host) }]]),
        ),
      },
    }));
    return [
      "@@inspect",
      JSON.stringify(inspect),
      ...(image && this.images.has(image) ? ["@@image", '{"Config":{"Healthcheck":null}}'] : []),
      "@@tcp",
      "@@udp",
      "@@history",
      this.files.get(historyFile) ?? "",
    ].join("\n");
  }

  /** $1 N, N docker run command lines, then the health gate's arguments. */
  private startHealth(a: string[]): ExecResult {
    const n = Number(a[0]);
    const names: string[] = [];
    for (const line of a.slice(1, n + 1)) names.push(this.dockerRun(unquote(line)));
    const gate = this.health(a.slice(n + 1));
    return { ...gate, stdout: `@@started\n${gate.stdout}` };
  }

  private health(a: string[]): ExecResult {
    const from = a.indexOf("--") + 1;
    const to = a.indexOf("--", from);
    const names = a.slice(from, to < 0 ? undefined : to);
    const out: string[] = [];
    for (const name of names) {
      const c = this.containers.get(name);
      if (c && this.behaviour.unhealthy?.test(c.image))
        return ok(`${out.join("")}FAIL ${name} not healthy after 1s\n`, 1);
      out.push(`healthy ${name}\n`);
    }
    return ok(out.join(""));
  }

  private dockerRun(args: string[]): string {
    const run = parseRun(args);
    const c: FakeContainer = {
      ...this.blank(run.name),
      labels: run.labels,
      image: run.image,
      ports: run.ports,
    };
    this.containers.set(c.name, c);
    return c.name;
  }

  private blank(name: string): FakeContainer {
    return { id: `id-${name}`, name, state: "running", labels: {}, image: "", ports: [], created: tick() };
  }

  /** hook.sh: $1 name, $2 limit, $3 the docker run line, $4 the outcome token. */
  private hook(a: string[], input: string): ExecResult {
    const run = this.oneOff(unquote(a[2]!), input);
    const end = this.behaviour.oneOff?.(run) ?? {};
    const mark = `@@hook-${a[3]}`;
    if ("timeout" in end) return ok("", 0, `${mark} timeout`);
    if ("startFails" in end) return ok("", 1, `${end.startFails}\n${mark} start-failed`);
    return ok((end.output ?? []).map((l) => `${l}\n`).join(""), 0, `${mark} exit ${end.exitCode ?? 0}`);
  }

  private oneOff(args: string[], input: string): FakeOneOff {
    const run = parseRun(args);
    const file = /^__pt_envfile=('(?:[^']|'\\'')*')/m.exec(input)?.[1] ?? "''";
    const env = Object.fromEntries(
      unquote(file)[0]!
        .split("\n")
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    const o: FakeOneOff = { kind: run.labels["dev.powertrain.one-off"] ?? "", ...run, env };
    this.oneOffs.push(o);
    return o;
  }

  /** `powertrain run`'s attached `docker start`: recorded, its exit status from the behaviour. */
  async attach(args: readonly string[], _options: { tty: boolean }): Promise<number> {
    this.calls.push(`attach ${args.join(" ")}`);
    return this.behaviour.attachExitCode ?? 0;
  }

  private set(name: string, state: FakeContainer["state"]): void {
    const c = this.containers.get(name);
    if (c) c.state = state;
  }

  private append(file: string, line: string): void {
    this.files.set(file, `${this.files.get(file) ?? ""}${line}\n`);
  }
}

/** Fake hosts by `user@host:port`; `openHosts` is what a request's host seam takes. */
export class FakeFleet implements HostSession {
  readonly hosts = new Map<string, FakeHost>();

  host(target: SshTarget): FakeHost {
    const key = describeTarget(target);
    const known = this.hosts.get(key);
    if (known) return known;
    const h = new FakeHost(target);
    this.hosts.set(key, h);
    return h;
  }

  async connect(target: SshTarget): Promise<RemoteHost> {
    return this.host(target);
  }

  async close(): Promise<void> {}

  readonly openHosts: OpenHosts = async () => this;
}

/** A `docker run …` or `docker create …` argument list: name, labels, ports, image and what follows it. */
function parseRun(args: string[]) {
  const out = {
    name: "",
    labels: {} as Record<string, string>,
    ports: [] as FakeContainer["ports"],
    image: "",
    command: [] as string[],
  };
  let i = 2; // docker run|create
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("-")) break;
    const value = ["-d", "-i", "-t", "--rm", "--init"].includes(arg) ? undefined : args[++i]!;
    if (arg === "--name") out.name = value!;
    if (arg === "--label") {
      const eq = value!.indexOf("=");
      out.labels[value!.slice(0, eq)] = value!.slice(eq + 1);
    }
    if (arg === "-p") {
      const [mapping = "", protocol = "tcp"] = value!.split("/");
      const parts = mapping.split(":");
      out.ports.push({ host: Number(parts.at(-2)), container: Number(parts.at(-1)), protocol });
    }
  }
  out.image = args[i] ?? "";
  out.command = args.slice(i + 1);
  return out;
}

/** The words of a command line quoted by shellCommand (bare words and '…' with '\'' escapes). */
export function unquote(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      word += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (ch === "\\") {
      word += line[++i] ?? "";
      inWord = true;
    } else if (ch === " ") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
