import {
  findReferences,
  listReferences,
  MissingReferenceError,
  parseTemplate,
  substituteReferences,
} from "./references";

describe("parseTemplate", () => {
  test.each([
    ["plain", [{ text: "plain" }]],
    ["", []],
    ["${A}", [{ ref: "A" }]],
    ["x${A}y${B_2}", [{ text: "x" }, { ref: "A" }, { text: "y" }, { ref: "B_2" }]],
    ["$${A}", [{ text: "${A}" }]],
    ["$$${A}", [{ text: "$${A}" }]],
    ["$A and $", [{ text: "$A and $" }]],
    ["price: $5", [{ text: "price: $5" }]],
    ["}{$}", [{ text: "}{$}" }]],
    ["${_}", [{ ref: "_" }]],
    ["${A}${A}", [{ ref: "A" }, { ref: "A" }]],
  ])("%p", (input, expected) => {
    expect(parseTemplate(input)).toEqual(expected);
  });

  test.each([
    ["${", /unclosed reference/],
    ["abc ${NAME", /unclosed reference/],
    ["${}", /invalid reference "\$\{\}"/],
    ["${1A}", /invalid reference/],
    ["${A-B}", /invalid reference/],
    ["${A:-default}", /invalid reference/],
    ["${ A }", /invalid reference/],
    ["${$(rm -rf /)}", /invalid reference/],
    ["${A\n}", /invalid reference/],
  ])("%p is rejected", (input, message) => {
    expect(() => parseTemplate(input)).toThrow(message);
  });

  test("a long hostile string is scanned in linear time", () => {
    const hostile = "$${".repeat(50_000) + "${A}".repeat(50_000);
    const started = Date.now();
    expect(findReferences(hostile)).toEqual(["A"]);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe("listReferences", () => {
  test.each([
    [{ A: "${X}", B: "${Y}-${X}", C: "$${Z}", D: "plain" }, ["X", "Y"]],
    [{}, []],
    [{ A: "${b}${a}" }, ["a", "b"]],
  ])("%p → %p", (env, expected) => {
    expect(listReferences(env)).toEqual(expected);
    expect(listReferences({ run: { env } })).toEqual(expected);
  });
});

describe("substituteReferences", () => {
  test.each([
    [{ A: "${X}" }, { X: "1" }, { A: "1" }],
    [{ A: "pre-${X}-${Y}" }, { X: "1", Y: "2" }, { A: "pre-1-2" }],
    [{ A: "${X}" }, { X: "" }, { A: "" }],
    [{ A: "$${X}" }, {}, { A: "${X}" }],
    [{ A: "${X}" }, { X: "${Y}" }, { A: "${Y}" }],
    [{ A: "${X}" }, { X: "$(id)`id`'\"" }, { A: "$(id)`id`'\"" }],
    [{ A: "no refs" }, {}, { A: "no refs" }],
  ])("%p with %p → %p", (env, source, expected) => {
    expect(substituteReferences(env, source)).toEqual(expected);
  });

  test("one error names every missing variable, sorted", () => {
    const run = () =>
      substituteReferences({ A: "${TOKEN}", B: "${DB}-${TOKEN}", C: "${SET}" }, { SET: "x", DB: undefined });
    expect(run).toThrow(MissingReferenceError);
    expect(run).toThrow("env references variables that are not set: DB, TOKEN");
  });

  test("inherited object properties are not variables", () => {
    expect(() => substituteReferences({ A: "${toString}" }, {})).toThrow(/toString/);
  });
});
