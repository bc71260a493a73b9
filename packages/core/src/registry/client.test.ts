import { isLoopback, registryBaseUrl } from "./client";

test.each([
  ["127.0.0.1:5000", false, "http://127.0.0.1:5000"],
  ["127.0.0.2", false, "http://127.0.0.2"],
  ["localhost:5000", false, "http://localhost:5000"],
  ["[::1]:5000", false, "http://[::1]:5000"],
  ["registry.example.com", false, "https://registry.example.com"],
  ["10.0.0.5:5000", false, "https://10.0.0.5:5000"],
  ["127.example.com", false, "https://127.example.com"],
  ["localhost.evil.com", false, "https://localhost.evil.com"],
  ["10.0.0.5:5000", true, "http://10.0.0.5:5000"],
  ["docker.io", false, "https://registry-1.docker.io"],
])("registryBaseUrl(%s, insecure=%s) = %s", (registry, insecure, url) => {
  expect(registryBaseUrl(registry, insecure)).toBe(url);
});

test.each([
  ["127.0.0.1", true],
  ["127.255.255.254:1", true],
  ["::1", true],
  ["128.0.0.1", false],
  ["1127.0.0.1", false],
])("isLoopback(%s) = %s", (host, expected) => {
  expect(isLoopback(host)).toBe(expected);
});
