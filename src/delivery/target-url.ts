/**
 * Where a delivery may be sent. Without WEBHOOK_ALLOW_PRIVATE_NETWORKS, literal loopback,
 * private, link-local and unspecified targets are refused (SSRF). Names are not resolved
 * here: this is a pure check of what the URL says, after WHATWG URL normalisation, which
 * already turns decimal/hex/octal IPv4 forms into dotted quads.
 */

export type TargetUrlCheck = { ok: true; url: URL } | { ok: false; error: string };

/** [first address, prefix length] of IPv4 ranges that must not be targeted. */
const BLOCKED_V4: readonly [string, number][] = [
  ["0.0.0.0", 8], // "this network" / unspecified
  ["10.0.0.0", 8], // RFC 1918
  ["100.64.0.0", 10], // RFC 6598 carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local (cloud metadata lives here)
  ["172.16.0.0", 12], // RFC 1918
  ["192.168.0.0", 16], // RFC 1918
  ["192.0.0.0", 24], // RFC 6890 IETF protocol assignments
  ["192.0.2.0", 24], // RFC 5737 TEST-NET-1
  ["198.18.0.0", 15], // RFC 2544 benchmarking
  ["198.51.100.0", 24], // RFC 5737 TEST-NET-2
  ["203.0.113.0", 24], // RFC 5737 TEST-NET-3
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, including broadcast
];

function parseIpv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    return null;
  }
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function isBlockedV4(address: number): boolean {
  return BLOCKED_V4.some(([start, prefix]) => {
    const base = parseIpv4(start) ?? 0;
    const size = 2 ** (32 - prefix);
    return address >= base && address < base + size;
  });
}

/** The eight 16-bit groups of an IPv6 address (RFC 4291 §2.2 text forms); null when malformed. */
function parseIpv6(text: string): number[] | null {
  let body = text;
  const tail: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = parseIpv4(dotted[2] ?? "");
    if (v4 === null) return null;
    tail.push(Math.floor(v4 / 65536), v4 % 65536);
    const prefix = dotted[1] ?? "";
    body = prefix.endsWith("::") ? prefix : prefix.slice(0, -1);
  }
  const halves = body.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const rest = halves[1] ? halves[1].split(":") : [];
  const needed = 8 - tail.length;
  const fill = needed - head.length - rest.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill("0"), ...rest];
  const numbers = groups.map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? Number.parseInt(g, 16) : -1));
  return numbers.every((n) => n >= 0) ? [...numbers, ...tail] : null;
}

function isBlockedV6(g: number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embeddedV4 = g6 * 65536 + g7;
  const zeroHead = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (zeroHead && g5 === 0 && g6 === 0 && (g7 === 0 || g7 === 1)) return true; // :: and ::1
  if (zeroHead && (g5 === 0xffff || g5 === 0)) return isBlockedV4(embeddedV4); // mapped/compatible
  // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052) can reach the embedded IPv4 address.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return isBlockedV4(embeddedV4);
  }
  if ((g0 & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((g0 & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((g0 & 0xffc0) === 0xfec0) return true; // fec0::/10 deprecated site-local
  return (g0 & 0xff00) === 0xff00; // ff00::/8 multicast
}

/** True when a URL hostname (as `URL.hostname` gives it) is a private-network target. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true; // RFC 6761 §6.3
  if (host.startsWith("[") && host.endsWith("]")) {
    const groups = parseIpv6(host.slice(1, -1).split("%")[0] ?? "");
    return groups === null || isBlockedV6(groups);
  }
  const v4 = parseIpv4(host);
  return v4 !== null && isBlockedV4(v4);
}

/** Validates a delivery target: http(s), no userinfo, a host, and no private address unless allowed. */
export function checkTargetUrl(raw: string, allowPrivateNetworks: boolean): TargetUrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, error: "endpoint_url is not a valid URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, error: "endpoint_url must use http or https" };
  }
  if (url.username !== "" || url.password !== "") {
    return {
      ok: false,
      error: "endpoint_url must not contain credentials (user:pass@); use a credential instead",
    };
  }
  if (url.hostname === "") return { ok: false, error: "endpoint_url must include a host" };
  if (!allowPrivateNetworks && isPrivateHost(url.hostname)) {
    return {
      ok: false,
      error: `endpoint_url points to a private network address (${url.hostname}); set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true to allow it`,
    };
  }
  return { ok: true, url };
}
