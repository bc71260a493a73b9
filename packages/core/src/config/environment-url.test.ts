import { renderEnvironmentUrl } from "./environment-url";

const hosts = [{ host: "web1.example.com" }, { host: "web2.example.com" }];
const ports = [{ host: { from: 8443 } }];

describe("renderEnvironmentUrl", () => {
  test.each<[string, { host: string }[], { host?: { from: number } }[], string]>([
    ["https://shop.example.com/", hosts, ports, "https://shop.example.com/"],
    ["https://{host}:{port}/", hosts, ports, "https://web1.example.com:8443/"],
    ["http://{host}/status", hosts, [], "http://web1.example.com/status"],
    ["http://{host}:{port}/", [{ host: "2001:db8::1" }], ports, "http://[2001:db8::1]:8443/"],
    ["http://{host}:{port}/", hosts, [{}, { host: { from: 18000 } }], "http://web1.example.com:18000/"],
  ])("%s", (template, h, p, url) => {
    expect(renderEnvironmentUrl(template, h, p)).toBe(url);
  });

  test.each<[string, { host: string }[], { host?: { from: number } }[], RegExp]>([
    ["https://{host}/", [], ports, /uses \{host\}, but the environment has no hosts/],
    ["https://{host}:{port}/", hosts, [{}], /uses \{port\}, but run.ports publishes no host port/],
    ["https://{hostname}/", hosts, ports, /unknown placeholder \{hostname\}: expected \{host\} or \{port\}/],
    ["{host}", hosts, ports, /"web1.example.com" is not a URL/],
    ["javascript:alert(1)", hosts, ports, /expected an http:\/\/ or https:\/\/ URL/],
    ["ftp://{host}/", hosts, ports, /expected an http:\/\/ or https:\/\/ URL/],
    ["https://user:pw@{host}/", hosts, ports, /no credentials/],
    ['https://{host}/"><x', hosts, ports, /quotes and angle brackets/],
  ])("%s is refused", (template, h, p, message) => {
    expect(() => renderEnvironmentUrl(template, h, p)).toThrow(message);
  });
});
