import { parseLinkNext, parseWwwAuthenticate } from "./challenge";

describe("parseWwwAuthenticate", () => {
  test.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"',
      {
        scheme: "bearer",
        params: {
          realm: "https://auth.docker.io/token",
          service: "registry.docker.io",
          scope: "repository:library/busybox:pull",
        },
      },
    ],
    [
      'Bearer realm="http://127.0.0.1:5101/token", service="pt", scope="repository:a/b:pull,push"',
      {
        scheme: "bearer",
        params: { realm: "http://127.0.0.1:5101/token", service: "pt", scope: "repository:a/b:pull,push" },
      },
    ],
    ['Basic realm="Registry Realm"', { scheme: "basic", params: { realm: "Registry Realm" } }],
    ["basic realm=unquoted", { scheme: "basic", params: { realm: "unquoted" } }],
    [
      'Bearer realm="a\\"b",error="invalid_token"',
      { scheme: "bearer", params: { realm: 'a"b', error: "invalid_token" } },
    ],
    ["Bearer", { scheme: "bearer", params: {} }],
  ])("%s", (header, expected) => {
    expect(parseWwwAuthenticate(header)).toEqual(expected);
  });

  test.each([[""], ["   "], ["=oops"]])("%j is not a challenge", (header) => {
    expect(parseWwwAuthenticate(header)).toBeUndefined();
  });
});

describe("parseLinkNext", () => {
  test.each([
    ['</v2/app/tags/list?n=100&last=b>; rel="next"', "/v2/app/tags/list?n=100&last=b"],
    ["</v2/app/tags/list?n=2&last=x>; rel=next", "/v2/app/tags/list?n=2&last=x"],
    ['<https://r.example/v2/x/tags/list?last=z>; rel="prev", </next?last=q>; rel="next"', "/next?last=q"],
    [
      '<https://r.example/v2/x/tags/list?last=z>; type="a"; rel="first next"',
      "https://r.example/v2/x/tags/list?last=z",
    ],
    ['</prev>; rel="prev"', undefined],
    ["", undefined],
    [undefined, undefined],
  ])("%j → %j", (header, expected) => {
    expect(parseLinkNext(header)).toBe(expected);
  });
});
