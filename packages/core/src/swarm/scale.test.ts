import { deployReplicas, SCALE_LABEL } from "./scale";

test.each<[string, string | undefined, number, number | undefined, { replicas: number; label?: string }]>([
  ["no scale label: the configuration", undefined, 2, undefined, { replicas: 2 }],
  ["scaled from the same run.instances: kept", "5/2", 2, undefined, { replicas: 5, label: "5/2" }],
  ["run.instances changed since: the configuration", "5/2", 3, undefined, { replicas: 3 }],
  ["--instances: it, and the label goes", "5/2", 2, 4, { replicas: 4 }],
  ["a label not ours to read", "lots", 2, undefined, { replicas: 2 }],
])("deployReplicas: %s", (_name, label, configured, explicit, expected) => {
  expect(deployReplicas(label === undefined ? {} : { [SCALE_LABEL]: label }, configured, explicit)).toEqual(
    expected,
  );
});
