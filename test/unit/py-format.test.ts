import { describe, expect, it } from "vitest";
import { base64ToBytes, bytesToBase64, hexToBytes } from "../../src/delivery/base64";
import {
  pythonIsoformatUtc,
  pythonJsonDumps,
  pythonNumber,
  pythonTitle,
} from "../../src/delivery/py-format";

describe("python formatting", () => {
  it("prints numbers as python's repr does", () => {
    expect([1, -3, 0.1, 1.5, 1e-5, 0.0001, 1.5e16, 1e21, 2.5e-7].map(pythonNumber)).toEqual([
      "1",
      "-3",
      "0.1",
      "1.5",
      "1e-05",
      "0.0001",
      "15000000000000000",
      "1000000000000000000000",
      "2.5e-07",
    ]);
  });

  it("dumps json with python's separators and ascii escapes", () => {
    expect(pythonJsonDumps({ a: [1, 2], b: { c: 'ü\n"' }, d: [], e: {} })).toBe(
      '{"a": [1, 2], "b": {"c": "\\u00fc\\n\\""}, "d": [], "e": {}}',
    );
    expect(pythonJsonDumps("😀")).toBe('"\\ud83d\\ude00"');
  });

  it("title-cases like str.title", () => {
    expect(pythonTitle("gathered_context.customer name2x")).toBe(
      "Gathered_Context.Customer Name2X",
    );
  });

  it("formats timestamps like datetime.isoformat in utc", () => {
    expect(pythonIsoformatUtc("2026-07-02 16:14:14+00")).toBe("2026-07-02T16:14:14+00:00");
    expect(pythonIsoformatUtc("2026-07-02T18:14:14.1234567+02:00")).toBe(
      "2026-07-02T16:14:14.123456+00:00",
    );
    expect(pythonIsoformatUtc("2026-07-02 16:14:14")).toBe("2026-07-02T16:14:14+00:00");
    expect(pythonIsoformatUtc("garbage")).toBeNull();
  });
});

describe("base64", () => {
  it("round-trips bytes and accepts url-safe, unpadded input", () => {
    const bytes = Uint8Array.from([251, 255, 191, 0, 1]);
    expect(bytesToBase64(bytes)).toBe("+/+/AAE=");
    expect(Array.from(base64ToBytes("-_-_AAE") ?? [])).toEqual(Array.from(bytes));
  });

  it("rejects malformed input", () => {
    expect(base64ToBytes("a")).toBeNull();
    expect(base64ToBytes("ab$c")).toBeNull();
    expect(hexToBytes("abc")).toBeNull();
    expect(hexToBytes("zz")).toBeNull();
    expect(Array.from(hexToBytes("00ff") ?? [])).toEqual([0, 255]);
  });
});
