"use strict";

const assert = require("node:assert/strict");
const { describe, test } = require("node:test");
const { escapeHtml, pageModel, render, wantsJson } = require("../src/render");

const info = { version: "7-abc1234", environment: "qa", greeting: "hello", hostname: "web-1" };

describe("render", () => {
  test("renders HTML with the version and environment by default", () => {
    const page = render(info);
    assert.equal(page.contentType, "text/html; charset=utf-8");
    assert.match(page.body, /<h1>hello, world!<\/h1>/);
    assert.match(page.body, /version <code>7-abc1234<\/code>/);
    assert.match(page.body, /environment <code>qa<\/code>/);
  });

  test("renders JSON when asked through Accept or ?format=json", () => {
    for (const options of [{ accept: "application/json" }, { format: "json" }]) {
      const page = render({ ...info, name: "Ada" }, options);
      assert.equal(page.contentType, "application/json; charset=utf-8");
      assert.deepEqual(JSON.parse(page.body), {
        message: "hello, Ada!",
        version: "7-abc1234",
        environment: "qa",
        instance: "web-1",
      });
    }
  });

  test("escapes user input in HTML", () => {
    const page = render({ ...info, name: '<script>alert("x")</script>' });
    assert.doesNotMatch(page.body, /<script>/);
    assert.match(page.body, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
  });
});

describe("pageModel", () => {
  test("falls back to 'world' for a missing or blank name", () => {
    assert.equal(pageModel({ ...info, name: "   " }).message, "hello, world!");
    assert.equal(pageModel({ ...info, greeting: "hi" }).message, "hi, world!");
  });
});

describe("wantsJson", () => {
  const cases = [
    ["application/json", undefined, true],
    ["text/html,application/json", undefined, false],
    ["*/*", undefined, false],
    [undefined, "json", true],
    ["application/json", "html", false],
  ];
  for (const [accept, format, expected] of cases) {
    test(`accept=${accept} format=${format} → ${expected}`, () => {
      assert.equal(wantsJson(accept, format), expected);
    });
  }
});

test("escapeHtml escapes all five special characters", () => {
  assert.equal(escapeHtml(`&<>"'`), "&amp;&lt;&gt;&quot;&#39;");
});
