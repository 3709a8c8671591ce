import { describe, expect, it } from "vitest";
import { checkTargetUrl, isPrivateHost } from "../../src/delivery/target-url";

function errorOf(raw: string, allowPrivate = false): string | null {
  const result = checkTargetUrl(raw, allowPrivate);
  return result.ok ? null : result.error;
}

describe("checkTargetUrl", () => {
  it("accepts public http and https urls and returns the parsed url", () => {
    const result = checkTargetUrl("https://crm.example.com/hooks?x=1", false);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.url.hostname).toBe("crm.example.com");
    expect(errorOf("http://93.184.216.34:8080/")).toBeNull();
    expect(errorOf("https://[2606:4700::1111]/")).toBeNull();
    expect(errorOf("http://172.32.0.1/")).toBeNull();
    expect(errorOf("http://100.128.0.1/")).toBeNull();
  });

  it("refuses unparseable urls and other schemes", () => {
    expect(errorOf("not a url")).toBe("endpoint_url is not a valid URL");
    expect(errorOf("ftp://example.com/file")).toBe("endpoint_url must use http or https");
    expect(errorOf("javascript:alert(1)")).toBe("endpoint_url must use http or https");
    expect(errorOf("file:///etc/passwd")).toBe("endpoint_url must use http or https");
  });

  it("refuses credentials in the url even when private networks are allowed", () => {
    expect(errorOf("https://user:pass@example.com/", true)).toContain(
      "must not contain credentials",
    );
    expect(errorOf("https://user@example.com/")).toContain("must not contain credentials");
  });

  it("refuses loopback, private, link-local and unspecified literals", () => {
    const refused = [
      "http://127.0.0.1/",
      "http://127.255.0.9:9000/",
      "http://10.1.2.3/",
      "http://172.16.0.1/",
      "http://172.31.255.255/",
      "http://192.168.1.1/",
      "http://169.254.169.254/latest/meta-data",
      "http://100.64.0.1/",
      "http://100.127.255.255/",
      "http://0.0.0.0/",
      "http://[::1]/",
      "http://[::]/",
      "http://[fc00::1]/",
      "http://[fd12:3456::1]/",
      "http://[fe80::1]/",
      "http://[febf::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://[::ffff:7f00:1]/",
      "http://[::ffff:10.0.0.1]/",
      "http://[::ffff:a9fe:a9fe]/",
      "http://[64:ff9b::a00:1]/",
    ];
    for (const raw of refused) expect(errorOf(raw), raw).toContain("private network address");
  });

  it("refuses decimal, hex and octal ipv4 forms the url parser normalises", () => {
    expect(errorOf("http://2130706433/")).toContain("(127.0.0.1)");
    expect(errorOf("http://0x7f.0.0.1/")).toContain("(127.0.0.1)");
    expect(errorOf("http://0177.0.0.1/")).toContain("(127.0.0.1)");
    expect(errorOf("http://127.1/")).toContain("(127.0.0.1)");
    expect(errorOf("http://0xa9fea9fe/")).toContain("(169.254.169.254)");
  });

  it("refuses localhost and its subdomains by name", () => {
    for (const raw of [
      "http://localhost:8787/",
      "http://LOCALHOST/",
      "http://api.localhost/",
      "http://localhost./",
    ]) {
      expect(errorOf(raw), raw).toContain("private network address");
    }
    expect(errorOf("http://localhost.example.com/")).toBeNull();
  });

  it("names the address and the variable that allows it", () => {
    expect(errorOf("http://127.0.0.1:9/")).toBe(
      "endpoint_url points to a private network address (127.0.0.1); set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true to allow it",
    );
  });

  it("allows private targets when private networks are allowed", () => {
    for (const raw of [
      "http://127.0.0.1:9/",
      "http://localhost/",
      "http://[::1]/",
      "http://10.0.0.1/",
    ]) {
      expect(errorOf(raw, true), raw).toBeNull();
    }
  });
});

describe("isPrivateHost", () => {
  it("leaves public names and addresses alone", () => {
    for (const host of ["example.com", "8.8.8.8", "[2001:db8::1]", "[::ffff:8.8.8.8]", "1.0.0.1"]) {
      expect(isPrivateHost(host), host).toBe(false);
    }
  });
});

describe("checkTargetUrl on special-purpose ranges", () => {
  it.each([
    "192.0.2.10",
    "198.18.0.1",
    "198.19.255.255",
    "198.51.100.7",
    "203.0.113.200",
    "192.0.0.8",
  ])("refuses %s without WEBHOOK_ALLOW_PRIVATE_NETWORKS", (host) => {
    expect(checkTargetUrl(`http://${host}/hook`, false).ok).toBe(false);
    expect(checkTargetUrl(`http://${host}/hook`, true).ok).toBe(true);
  });

  it("still allows the public neighbours of those ranges", () => {
    expect(checkTargetUrl("http://198.20.0.1/hook", false).ok).toBe(true);
    expect(checkTargetUrl("http://203.0.114.1/hook", false).ok).toBe(true);
  });
});
