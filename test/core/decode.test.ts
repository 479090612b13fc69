import { describe, expect, it } from "vitest";
import {
  decodeCommandText,
  decodeSlackEscapes,
  normalizeTypography,
  tokenize,
} from "../../src/core/decode.ts";

describe("decodeSlackEscapes", () => {
  it("decodes the three entities", () => {
    const text = "a &amp;&amp; b &lt;c&gt;";

    const decoded = decodeSlackEscapes(text);

    expect(decoded).toBe("a && b <c>");
  });

  it("decodes each entity once", () => {
    const text = "&amp;lt; &amp;amp;";

    const decoded = decodeSlackEscapes(text);

    expect(decoded).toBe("&lt; &amp;");
  });

  it("leaves other entities alone", () => {
    const text = "&quot;x&quot; &#60; &nbsp;";

    const decoded = decodeSlackEscapes(text);

    expect(decoded).toBe("&quot;x&quot; &#60; &nbsp;");
  });

  it("turns user mentions into ids", () => {
    const text = "<@U012AB3CD|alice> <@W123> <@U999>";

    const decoded = decodeSlackEscapes(text);

    expect(decoded).toBe("U012AB3CD W123 U999");
  });

  it("turns user group mentions into ids", () => {
    const text = "<!subteam^S0614TZR7|@sre> <!subteam^S123>";

    const decoded = decodeSlackEscapes(text);

    expect(decoded).toBe("S0614TZR7 S123");
  });

  it("turns channel mentions into ids", () => {
    const text = "<#C024BE7LR|general> <#C123>";

    const decoded = decodeSlackEscapes(text);

    expect(decoded).toBe("C024BE7LR C123");
  });

  it("drops labels that contain entities", () => {
    const text = "<@U123|a&amp;b>";

    const decoded = decodeSlackEscapes(text);

    expect(decoded).toBe("U123");
  });

  it("keeps other control sequences", () => {
    const text = "<!here> <https://example.com|link> <@u123>";

    const decoded = decodeSlackEscapes(text);

    expect(decoded).toBe("<!here> <https://example.com|link> <@u123>");
  });

  it("keeps user-typed angle brackets escaped once", () => {
    const text = "&lt;@U123&gt;";

    const decoded = decodeSlackEscapes(text);

    expect(decoded).toBe("<@U123>");
  });
});

describe("normalizeTypography", () => {
  it("replaces smart quotes", () => {
    const text = "\u2018a\u2019 \u201Cb\u201D \u201Ac\u201B \u201Ed\u201F";

    const normalized = normalizeTypography(text);

    expect(normalized).toBe("'a' \"b\" 'c' \"d\"");
  });

  it.each([
    ["no-break space", "\u00A0"],
    ["figure space", "\u2007"],
    ["narrow no-break space", "\u202F"],
    ["thin space", "\u2009"],
    ["em space", "\u2003"],
    ["ideographic space", "\u3000"],
  ])("replaces the %s", (_name, space) => {
    const text = `scale${space}api-gw`;

    const normalized = normalizeTypography(text);

    expect(normalized).toBe("scale api-gw");
  });

  it("replaces the minus sign and en dash", () => {
    const text = "\u22121 \u20132";

    const normalized = normalizeTypography(text);

    expect(normalized).toBe("-1 -2");
  });

  it("keeps the em dash", () => {
    const text = "\u20141";

    const normalized = normalizeTypography(text);

    expect(normalized).toBe("\u20141");
  });

  it("keeps zero width spaces", () => {
    const text = "api\u200Bgw";

    const normalized = normalizeTypography(text);

    expect(normalized).toBe("api\u200Bgw");
  });
});

describe("decodeCommandText", () => {
  it("decodes entities before typography", () => {
    const text = "scale\u00A0api-gw \u22122 &amp;";

    const decoded = decodeCommandText(text);

    expect(decoded).toBe("scale api-gw -2 &");
  });

  it("keeps plain text unchanged", () => {
    const text = "plan scale api-gw +1";

    const decoded = decodeCommandText(text);

    expect(decoded).toBe(text);
  });
});

describe("tokenize", () => {
  it("splits on runs of spaces and tabs", () => {
    const text = "  scale \t api-gw\t\t+1  ";

    const tokens = tokenize(text);

    expect(tokens).toEqual(["scale", "api-gw", "+1"]);
  });

  it("returns no tokens for blank text", () => {
    const text = " \t ";

    const tokens = tokenize(text);

    expect(tokens).toEqual([]);
  });

  it("keeps newlines inside tokens", () => {
    const text = "status\napi-gw";

    const tokens = tokenize(text);

    expect(tokens).toEqual(["status\napi-gw"]);
  });
});
