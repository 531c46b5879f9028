// Unit tests of the Go-compatible pieces: negotiation, text/JSON/YAML rendering, paths, number formats.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import {
  formatFloatG,
  formatTextNumber,
  goSprint,
  queryEscape,
  queryUnescape,
} from "../src/metadata/go-format.ts";
import { GoPanic } from "../src/metadata/render-text.ts";
import {
  cleanPath,
  matchPath,
  negotiateContentType,
  renderJson,
  renderText,
  renderYaml,
} from "../src/metadata/index.ts";

describe("content negotiation (gddo NegotiateContentType)", () => {
  it("picks JSON or YAML only when they win, text otherwise", () => {
    const cases: Array<[string[], string]> = [
      [[], "text"],
      [["application/json"], "json"],
      [["text/plain;q=0.5, application/json"], "json"],
      [["application/json;q=0.5, text/plain"], "text"],
      [["*/*"], "text"],
      [["text/html"], "text"],
      [["application/*"], "json"],
      [["application/yaml"], "yaml"],
      [["text/x-yaml"], "yaml"],
      [["application/json;q=0"], "text"],
      [["application/json; charset=utf-8"], "text"],
      [["Application/JSON"], "text"],
      [["text/html", "application/json"], "json"],
    ];
    for (const [accept, kind] of cases)
      assert.equal(negotiateContentType(accept), kind, JSON.stringify(accept));
  });
});

describe("text rendering (respondText)", () => {
  it("lists maps (sorted, escaped, / after collections) and arrays (i=name, i=uuid, i/, i)", () => {
    assert.equal(renderText({ b: 1, a: { x: 1 }, "c d/e": [1], n: null }), "a/\nb\nc+d%2Fe/\nn\n");
    assert.equal(
      renderText([{ name: "x y" }, { uuid: "u" }, { other: 1 }, [1], "s"]),
      "0=x+y\n1=u\n2/\n3/\n4\n",
    );
    assert.equal(renderText({ metadata_kind: "container", links: null }), "links/\nmetadata_kind\n");
    assert.equal(renderText({ metadata_kind: "host", links: null }), "links\nmetadata_kind\n");
  });

  it("prints scalars raw, null as nothing, floats like Go's %f trimmed", () => {
    assert.equal(renderText("a\nb"), "a\nb");
    assert.equal(renderText(null), "");
    assert.equal(renderText(true), "true");
    for (const [n, text] of [
      [1, "1"],
      [1.5, "1.5"],
      [0, "0"],
      [4135550976, "4135550976"],
      [1e21, "1000000000000000000000"],
      [1e-7, "0"],
    ] as const) {
      assert.equal(renderText(n), text);
      assert.equal(formatTextNumber(n), text);
    }
  });

  it("panics like Go on a name that is not a string", () => {
    assert.throws(() => renderText([{ name: 5 }]), GoPanic);
    assert.throws(() => renderText([{ name: null }]), GoPanic);
  });
});

describe("JSON rendering (json.Marshal)", () => {
  it("sorts keys like Go, integer-like ones included, and escapes HTML characters", () => {
    assert.equal(renderJson({ "9": 1, "10": 2, b: 3, a: 4 }, false), '{"10":2,"9":1,"a":4,"b":3}');
    assert.equal(
      renderJson({ s: "<a&b>\u2028\b\f\\b" }, true),
      '{"s":"\\u003ca\\u0026b\\u003e\\u2028\\u0008\\u000c\\\\b"}',
    );
    assert.equal(renderJson(null, true), "null");
    assert.equal(renderJson({ "\u{10000}": 1, "\ue000": 2 }, false), '{"\ue000":2,"\u{10000}":1}');
  });
});

describe("YAML rendering (yaml.v2 Marshal)", () => {
  it("writes block YAML that parses back to the value", () => {
    const value = {
      aliases: { "app-r123": ["www", "shop"] },
      ssl_cert: "-----BEGIN-----\nabc\n-----END-----\n",
      quoted: ["true", "123", "", "a: b", "- x", "#c", " lead", "tab\there"],
      nested: [{ a: 1, b: [1, 2] }, [], {}, [["x"]]],
      empty: {},
      nothing: null,
      big: 4135550976,
    };
    const yaml = renderYaml(value);
    assert.deepEqual(parseYaml(yaml), value);
    assert.match(yaml, /^aliases:\n {2}app-r123:\n {2}- www\n {2}- shop\n/);
    assert.match(yaml, /big: 4\.135550976e\+09\n/);
    assert.match(yaml, /ssl_cert: \|\n {2}-----BEGIN-----\n {2}abc\n/);
    assert.equal(renderYaml("x"), "x\n");
    assert.equal(renderYaml([]), "[]\n");
  });
});

describe("paths", () => {
  it("cleans like gorilla/mux (path.Clean keeping a trailing slash)", () => {
    assert.equal(cleanPath("//2015-12-19//containers"), "/2015-12-19/containers");
    assert.equal(cleanPath("/a/./b/../c/"), "/a/c/");
    assert.equal(cleanPath("/.."), "/");
    assert.equal(cleanPath("/"), "/");
  });

  it("walks maps and arrays like Versions.Matching", () => {
    const root = {
      list: [
        { name: "a", uuid: "u1" },
        { name: "7", uuid: "u2" },
      ],
      Map: { k: 1 },
    };
    assert.deepEqual(matchPath(root, ["list", "1", "uuid"]), { found: true, value: "u2" });
    assert.deepEqual(matchPath(root, ["list", "u1", "name"]), { found: true, value: "a" });
    assert.deepEqual(
      matchPath(root, ["list", "7"]),
      { found: false },
      "an integer is an index, never a name",
    );
    assert.deepEqual(matchPath(root, ["list", "-1"]), { found: false });
    assert.deepEqual(matchPath(root, ["LIST", "A", "NAME"]), { found: true, value: "a" });
    assert.deepEqual(
      matchPath(root, ["Map", "K"]),
      { found: false },
      "the fallback lower-cases every segment",
    );
    assert.deepEqual(matchPath(root, ["Map", "k"]), { found: true, value: 1 });
    assert.deepEqual(matchPath(root, ["constructor"]), { found: false });
  });

  it("unescapes segments like url.QueryUnescape", () => {
    assert.equal(queryUnescape("a+b%2Fc"), "a b/c");
    assert.throws(() => queryUnescape("a%zz"), /invalid URL escape "%zz"/);
    assert.equal(queryEscape("a b/c*~"), "a+b%2Fc%2A~");
  });
});

describe("Go number and value printing", () => {
  it("formats like strconv 'g' and fmt.Sprint", () => {
    for (const [n, text] of [
      [1, "1"],
      [123456, "123456"],
      [1e6, "1e+06"],
      [4135550976, "4.135550976e+09"],
      [0.5, "0.5"],
      [1e-7, "1e-07"],
      [1e21, "1e+21"],
    ] as const) {
      assert.equal(formatFloatG(n), text);
    }
    assert.equal(goSprint({ b: 1, a: ["x", null, true] }), "map[a:[x <nil> true] b:1]");
  });
});
