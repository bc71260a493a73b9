import { instructionOf, parseHistory } from "./history";

test.each([
  ["/bin/sh -c #(nop) COPY dir:5e07 in / ", "COPY dir:5e07 in /"],
  ['/bin/sh -c #(nop)  CMD ["node" "server.js"]', 'CMD ["node" "server.js"]'],
  ["/bin/sh -c #(nop) WORKDIR /app", "WORKDIR /app"],
  ["/bin/sh -c npm ci && npm run build", "RUN npm ci && npm run build"],
  ["|2 BASE=node:20 VERSION=1.0 /bin/sh -c node build.js", "RUN node build.js"],
  ["|1 EMPTY= /bin/sh -c true", "RUN true"],
  ["RUN /bin/sh -c npm ci # buildkit", "RUN npm ci"],
  ["COPY . /app # buildkit", "COPY . /app"],
  ["RUN |1 BASE=x /bin/sh -c make # buildkit", "RUN |1 BASE=x /bin/sh -c make"],
  ["/bin/busybox --install -s /bin", "RUN /bin/busybox --install -s /bin"],
  ["", "(unknown)"],
])("instructionOf(%j)", (createdBy, expected) => {
  expect(instructionOf(createdBy)).toBe(expected);
});

test("parseHistory reads one JSON object per line", () => {
  const text = [
    '{"Comment":"","CreatedAt":"2026-01-01T00:00:02Z","CreatedBy":"/bin/sh -c #(nop) COPY dir:ab in / ","ID":"sha256:b","Size":"104330536"}',
    '{"Comment":"","CreatedAt":"2026-01-01T00:00:01Z","CreatedBy":"/bin/sh -c echo \\u003e /x","ID":"\\u003cmissing\\u003e","Size":"109"}',
    "",
  ].join("\n");
  expect(parseHistory(text)).toEqual([
    { id: "sha256:b", instruction: "COPY dir:ab in /", size: 104330536, created: "2026-01-01T00:00:02Z" },
    { id: "<missing>", instruction: "RUN echo > /x", size: 109, created: "2026-01-01T00:00:01Z" },
  ]);
});
