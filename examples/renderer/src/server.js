// The HTTP service: `/` renders the page, `/healthz` answers 200 for the deploy's health gate
// and the image's HEALTHCHECK. Configuration comes from the environment (set by powertrain.yml).
"use strict";

const http = require("node:http");
const os = require("node:os");
const { render } = require("./render");

const port = Number(process.env.PORT || 8080);
const info = {
  // APP_VERSION is set by the deploy; the image's own version label is the fallback (see Dockerfile).
  version: process.env.APP_VERSION || process.env.IMAGE_VERSION || "dev",
  environment: process.env.APP_ENV || "local",
  greeting: process.env.GREETING || "hello",
  hostname: os.hostname(),
};

const server = http.createServer((req, res) => {
  const url = new URL(req.url || "/", "http://localhost");
  if (url.pathname === "/healthz") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok\n");
    return;
  }
  if (url.pathname !== "/") {
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found\n");
    return;
  }
  const page = render(
    { ...info, name: url.searchParams.get("name") || undefined },
    { accept: req.headers.accept, format: url.searchParams.get("format") || undefined },
  );
  res.writeHead(200, { "content-type": page.contentType });
  res.end(page.body);
});

server.listen(port, () => {
  console.log(`renderer ${info.version} (${info.environment}) listening on :${port}`);
});

// PID 1 in a container gets no default signal handlers: stop promptly on SIGTERM so a rolling
// deploy does not wait out the stop timeout.
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
