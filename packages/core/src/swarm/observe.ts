/**
 * One round trip to a manager: the service (`docker service inspect`), its
 * tasks (`docker inspect` of `docker service ps -q`) and the node names.
 * Parsing is pure, so it is tested with tables.
 */
import { LABEL } from "../deploy/labels";
import { defaultVersion, digestOf } from "../image/reference";
import { parseSections } from "../remote";
import type { CurrentSpec, ServicePort } from "./spec";
import { parseCurrentRuntime } from "./spec-runtime";

/** $1 service name. Sections are marked so a missing service is an empty one, not an error. */

export interface UpdateStatus {
  /** updating, paused, completed, rollback_started, rollback_paused, rollback_completed. */
  state: string;
  startedAt?: string;
  message?: string;
}

export interface ObservedService {
  id: string;
  name: string;
  /** The spec's version index: grows with every change. */
  specVersion: number;
  image: string;
  digest: string;
  version: string;
  replicas: number;
  labels: Record<string, string>;
  current: CurrentSpec;
  hasHealthcheck: boolean;
  updateStatus?: UpdateStatus;
  previous?: { image: string; digest: string; version: string; secrets: string[] };
}

export interface ObservedTask {
  id: string;
  /** `<service>.<slot>`. */
  name: string;
  slot: number;
  node: string;
  image: string;
  digest: string;
  /** Swarm's task state: new … starting, running, complete, shutdown, failed, rejected… */
  state: string;
  desiredState: string;
  error?: string;
  exitCode?: number;
  /** When the state was last set (ISO). */
  timestamp: string;
  createdAt: string;
  ports: { container: number; host: number; protocol: string }[];
}

export interface SwarmObservation {
  service?: ObservedService;
  tasks: ObservedTask[];
}

// biome-ignore lint/suspicious/noExplicitAny: docker inspect JSON, read defensively field by field with ?? fallbacks
type Json = Record<string, any>;

export function parseSwarmObservation(stdout: string): SwarmObservation {
  const sections = parseSections(stdout);
  const services = parseJsonArray(sections.service);
  const nodes = new Map(
    (sections.nodes ?? "")
      .split("\n")
      .map((l) => l.trim().split(/\s+/))
      .filter((p) => p.length === 2)
      .map(([id, host]) => [id!, host!]),
  );
  const service = services[0] ? parseService(services[0]) : undefined;
  const tasks = parseJsonArray(sections.tasks)
    .filter((t) => !service || t.ServiceID === service.id)
    .map((t) => parseTask(t, service?.name ?? "", nodes));
  return service ? { service, tasks } : { tasks };
}

function parseJsonArray(text: string | undefined): Json[] {
  const trimmed = (text ?? "").trim();
  if (!trimmed.startsWith("[")) return [];
  try {
    const value = JSON.parse(trimmed) as unknown;
    return Array.isArray(value) ? (value as Json[]) : [];
  } catch {
    return [];
  }
}

/** The version label of a spec, else the image tag, else the short digest. */
function versionOf(spec: Json | undefined, image: string): string {
  const label = spec?.Labels?.[LABEL.version] as string | undefined;
  return label || defaultVersion(image) || "";
}

function specSecrets(spec: Json | undefined): string[] {
  const secrets = (spec?.TaskTemplate?.ContainerSpec?.Secrets ?? []) as Json[];
  return secrets.map((s) => String(s.SecretName));
}

function specPorts(spec: Json | undefined): ServicePort[] {
  const ports = (spec?.EndpointSpec?.Ports ?? []) as Json[];
  return ports.map((p) => {
    const port: ServicePort = {
      target: Number(p.TargetPort),
      protocol: String(p.Protocol ?? "tcp"),
      mode: p.PublishMode === "host" ? "host" : "ingress",
    };
    if (p.PublishedPort) port.published = Number(p.PublishedPort);
    return port;
  });
}

export function parseService(s: Json): ObservedService {
  const spec = s.Spec ?? {};
  const container = spec.TaskTemplate?.ContainerSpec ?? {};
  const image = String(container.Image ?? "");
  const envNames = ((container.Env ?? []) as string[]).map((e) => e.split("=")[0]!);
  const result: ObservedService = {
    id: String(s.ID),
    name: String(spec.Name),
    specVersion: Number(s.Version?.Index ?? 0),
    image,
    digest: digestOf(image),
    version: versionOf(spec, image),
    replicas: Number(spec.Mode?.Replicated?.Replicas ?? 0),
    labels: { ...(spec.Labels ?? {}) },
    current: {
      envNames,
      labels: { ...(spec.Labels ?? {}) },
      containerLabels: { ...(container.Labels ?? {}) },
      secrets: specSecrets(spec),
      ports: specPorts(spec),
      mountTargets: ((container.Mounts ?? []) as Json[]).map((m) => String(m.Target)),
      constraints: [...((spec.TaskTemplate?.Placement?.Constraints ?? []) as string[])],
      runtime: parseCurrentRuntime(container),
    },
    hasHealthcheck: Array.isArray(container.Healthcheck?.Test) && container.Healthcheck.Test[0] !== "NONE",
  };
  if (s.UpdateStatus?.State) {
    result.updateStatus = { state: String(s.UpdateStatus.State) };
    if (s.UpdateStatus.StartedAt) result.updateStatus.startedAt = String(s.UpdateStatus.StartedAt);
    if (s.UpdateStatus.Message) result.updateStatus.message = String(s.UpdateStatus.Message);
  }
  const prev = s.PreviousSpec;
  if (prev) {
    const prevImage = String(prev.TaskTemplate?.ContainerSpec?.Image ?? "");
    result.previous = {
      image: prevImage,
      digest: digestOf(prevImage),
      version: versionOf(prev, prevImage),
      secrets: specSecrets(prev),
    };
  }
  return result;
}

export function parseTask(t: Json, service: string, nodes: Map<string, string>): ObservedTask {
  const image = String(t.Spec?.ContainerSpec?.Image ?? "");
  const task: ObservedTask = {
    id: String(t.ID),
    name: `${service}.${t.Slot ?? t.NodeID}`,
    slot: Number(t.Slot ?? 0),
    node: nodes.get(String(t.NodeID)) ?? String(t.NodeID ?? "-"),
    image,
    digest: digestOf(image),
    state: String(t.Status?.State ?? "unknown"),
    desiredState: String(t.DesiredState ?? "unknown"),
    timestamp: String(t.Status?.Timestamp ?? t.UpdatedAt ?? ""),
    createdAt: String(t.CreatedAt ?? ""),
    ports: taskPorts((t.Status?.PortStatus?.Ports ?? []) as Json[]),
  };
  if (t.Status?.Err) task.error = String(t.Status.Err);
  const exit = t.Status?.ContainerStatus?.ExitCode;
  if (typeof exit === "number" && exit !== 0) task.exitCode = exit;
  return task;
}

/**
 * One host port per container port. A dynamic host-mode port is listed twice: docker 20.10 binds
 * 0.0.0.0 and [::] to two different random ports; the IPv4 one comes first.
 */
function taskPorts(ports: Json[]): ObservedTask["ports"] {
  const seen = new Set<string>();
  const out: ObservedTask["ports"] = [];
  for (const p of ports) {
    const protocol = String(p.Protocol ?? "tcp");
    const key = `${p.TargetPort}/${protocol}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ container: Number(p.TargetPort), host: Number(p.PublishedPort), protocol });
  }
  return out;
}
