import { sharesByVersion, splitWeights } from "./weights";

describe("splitWeights", () => {
  test.each([
    // [old count, old %, new count, new %, expected weights (old…, new…)]
    [2, 90, 1, 10, [9, 9, 2]],
    [3, 90, 1, 10, [3, 3, 3, 1]],
    [1, 50, 1, 50, [1, 1]],
    [4, 75, 2, 25, [3, 3, 3, 3, 2, 2]],
    [2, 100, 2, 0, [1, 1]],
    [0, 90, 2, 10, [1, 1]],
    [3, 99, 1, 1, [33, 33, 33, 1]],
  ])("%i old at %i%% + %i new at %i%% → %j", (oldCount, oldPct, newCount, newPct, expected) => {
    const groups = [
      { members: Array.from({ length: oldCount }, (_, i) => `old${i}`), percent: oldPct },
      { members: Array.from({ length: newCount }, (_, i) => `new${i}`), percent: newPct },
    ];
    expect(splitWeights(groups).map((w) => w.weight)).toEqual(expected);
  });

  test.each([
    [2, 1, 10],
    [3, 2, 5],
    [5, 1, 33],
  ])("%i old + %i new at %i%%: the new group's share is exact to 0.1%%", (o, n, pct) => {
    const weights = splitWeights([
      { members: Array.from({ length: o }, () => "old"), percent: 100 - pct },
      { members: Array.from({ length: n }, () => "new"), percent: pct },
    ]);
    const shares = sharesByVersion(weights.map((w) => ({ version: w.member, weight: w.weight })));
    expect(Math.abs(shares.new! - pct)).toBeLessThan(0.1);
  });

  test("nothing to route gives an empty set", () => {
    expect(splitWeights([{ members: [], percent: 100 }])).toEqual([]);
  });
});

describe("sharesByVersion", () => {
  test.each([
    [
      [
        { version: "v1", weight: 9 },
        { version: "v1", weight: 9 },
        { version: "v2", weight: 2 },
      ],
      { v1: 90, v2: 10 },
    ],
    [[{ version: "v1", weight: 1 }], { v1: 100 }],
    [[], {}],
  ])("%j → %j", (servers, expected) => {
    expect(sharesByVersion(servers)).toEqual(expected);
  });
});
