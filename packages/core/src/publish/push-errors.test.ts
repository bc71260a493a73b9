import { classifyPushError, pushedDigest } from "./push-errors";

test.each([
  ["unauthorized: authentication required", "auth"],
  ["denied: requested access to the resource is denied", "auth"],
  ["no basic auth credentials", "auth"],
  [
    "Error response from daemon: login attempt to http://127.0.0.1:5000/v2/ failed with status: 401 Unauthorized",
    "auth",
  ],
  ["name unknown: repository name not known to registry", "not-found"],
  ['Get "http://127.0.0.1:5100/v2/": dial tcp 127.0.0.1:5100: connect: connection refused', "transient"],
  ["Put http://127.0.0.1:5100/v2/app/blobs/uploads/x: EOF", "transient"],
  ["received unexpected HTTP status: 503 Service Unavailable", "transient"],
  ["received unexpected HTTP status: 500 Internal Server Error", "transient"],
  ["write tcp 127.0.0.1:1->127.0.0.1:2: write: broken pipe", "transient"],
  ["net/http: TLS handshake timeout", "transient"],
  ["An image does not exist locally with the tag: x", "other"],
  ["", "other"],
])("%s → %s", (stderr, kind) => {
  expect(classifyPushError(stderr)).toBe(kind);
});

const D = `sha256:${"0123456789abcdef".repeat(4)}`;
test.each([
  [`The push refers to repository [127.0.0.1:5000/app]\n412-3f2a9c1: digest: ${D} size: 527\n`, D],
  ["nothing here", undefined],
])("pushedDigest(%j)", (output, digest) => {
  expect(pushedDigest(output)).toBe(digest);
});
