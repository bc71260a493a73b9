// Renders a small page as HTML or JSON. Pure: everything it shows comes in as arguments,
// so the unit tests need no server.
"use strict";

const HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * The page model: what both representations show.
 * @param {{ version: string, environment: string, greeting: string, name?: string, hostname: string }} info
 */
function pageModel(info) {
  const name = (info.name || "").trim() || "world";
  return {
    message: `${info.greeting}, ${name}!`,
    version: info.version,
    environment: info.environment,
    instance: info.hostname,
  };
}

/** Picks JSON when the client asks for it (Accept header or ?format=json), HTML otherwise. */
function wantsJson(accept, format) {
  if (format === "json") return true;
  if (format === "html") return false;
  return /\bapplication\/json\b/.test(accept || "") && !/\btext\/html\b/.test(accept || "");
}

/** Returns { contentType, body } for the page. */
function render(info, options = {}) {
  const model = pageModel(info);
  if (wantsJson(options.accept, options.format)) {
    return { contentType: "application/json; charset=utf-8", body: `${JSON.stringify(model)}\n` };
  }
  const body = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>renderer ${escapeHtml(model.version)}</title></head>
<body>
<h1>${escapeHtml(model.message)}</h1>
<p>version <code>${escapeHtml(model.version)}</code> · environment <code>${escapeHtml(model.environment)}</code> · instance <code>${escapeHtml(model.instance)}</code></p>
</body>
</html>
`;
  return { contentType: "text/html; charset=utf-8", body };
}

module.exports = { escapeHtml, pageModel, render, wantsJson };
