import * as path from "node:path";
import { loadContent } from "../../content/load";
import { type CompiledRules, compileContentRules, RuleClassifier } from "../../nlp/rules";

const rules = new RuleClassifier([
  {
    id: "qa.timeout",
    examples: { en: ["What is the maximum timeout?"], vi: ["Thời gian chạy tối đa là bao lâu?"] },
    keywords: { en: ["lambda timeout"], "zh-TW": ["逾時"] },
  },
  {
    id: "qa.memory",
    examples: { en: ["How much memory can a function have?"] },
    keywords: { en: ["memory"] },
  },
  {
    id: "qa.cpu",
    examples: { en: ["Can I choose the CPU?"] },
    keywords: { en: ["cpu"] },
    patterns: { en: ["\\bv?cpus?\\b.*\\b(set|pick|choose)\\b"] },
  },
]);

describe("the rule tier", () => {
  it("decides exactly on an example phrase, ignoring case, punctuation and spacing", () => {
    expect(rules.classify("  what IS the maximum timeout ", "en")).toEqual({
      decision: "exact",
      candidates: [{ intent: "qa.timeout", confidence: 1 }],
    });
  });

  it("matches Vietnamese typed without diacritics", () => {
    expect(rules.classify("thoi gian chay toi da la bao lau", "vi").candidates[0]?.intent).toBe("qa.timeout");
  });

  it("decides on a pattern", () => {
    expect(rules.classify("vcpus: can I set them myself", "en")).toMatchObject({
      decision: "exact",
      candidates: [{ intent: "qa.cpu" }],
    });
  });

  it("matches a keyword's words in any order within a longer sentence", () => {
    expect(rules.classify("how long before the timeout of my lambda kicks in", "en")).toMatchObject({
      decision: "confident",
      candidates: [{ intent: "qa.timeout" }],
    });
  });

  it("matches a Chinese keyword inside text without spaces", () => {
    expect(rules.classify("函式多久會逾時呢", "zh-TW").candidates[0]?.intent).toBe("qa.timeout");
  });

  it("is unsure on a tie and offers both candidates", () => {
    const result = rules.classify("memory or cpu, which matters", "en");
    expect(result.decision).toBe("unsure");
    expect(result.candidates.map((c) => c.intent).sort()).toEqual(["qa.cpu", "qa.memory"]);
  });

  it("finds nothing in gibberish or punctuation only", () => {
    expect(rules.classify("blorp", "en")).toEqual({ decision: "out_of_scope", candidates: [] });
    expect(rules.classify("?!…", "en")).toEqual({ decision: "out_of_scope", candidates: [] });
  });
});

describe("a keyword that also means something else", () => {
  // The pack's out-of-scope messages show which keywords have other meanings ("bucket list").
  const pack = new RuleClassifier({
    intents: [
      {
        id: "qa.s3",
        examples: { en: ["What is S3?"] },
        keywords: { en: ["bucket", "s3"], "zh-TW": ["儲存貯體"] },
      },
      {
        id: "qa.alarms",
        examples: { en: ["What is a CloudWatch alarm?"] },
        keywords: { en: ["alarm", "cloudwatch"] },
      },
    ],
    outOfScope: [
      { examples: { en: ["bucket list ideas", "my alarm clock is broken"], "zh-TW": ["油漆儲存貯體"] } },
    ],
  });

  it("offers its intent as a button instead of answering when it is the only evidence", () => {
    expect(pack.classify("kfc bucket price", "en")).toEqual({
      decision: "unsure",
      candidates: [{ intent: "qa.s3", confidence: 1 }],
    });
    expect(pack.classify("set an alarm for 7am", "en").decision).toBe("unsure");
    expect(pack.classify("便宜的儲存貯體", "zh-TW").decision).toBe("unsure");
  });

  it("still answers when an unambiguous keyword or a second keyword of the intent backs it", () => {
    expect(pack.classify("how big can an s3 bucket get", "en")).toMatchObject({
      decision: "confident",
      candidates: [{ intent: "qa.s3" }],
    });
    expect(pack.classify("cloudwatch alarm on errors", "en")).toMatchObject({
      decision: "confident",
      candidates: [{ intent: "qa.alarms" }],
    });
  });

  it("in the default pack, never answers a near-domain message on one shared word", () => {
    const rules = new RuleClassifier(loadContent(path.join(__dirname, "../../content")));
    for (const text of ["my car needs a new bucket seat", "alarm went off twice this morning"])
      expect(rules.classify(text, "en").decision).not.toBe("confident");
    expect(rules.classify("how do i create a cloudwatch alarm", "en")).toMatchObject({
      decision: "confident",
      candidates: [{ intent: "qa.cloudwatch-alarms" }],
    });
  });

  it("answers an intent's own title typed as it is, just below an example phrase", () => {
    const titled = new RuleClassifier({
      intents: [
        { id: "qa.env", title: { "zh-TW": "環境變數" }, examples: {}, keywords: { "zh-TW": ["環境變數"] } },
      ],
      outOfScope: [{ examples: { "zh-TW": ["windows 環境變數怎麼設"] } }],
    });
    expect(titled.classify("環境變數？", "zh-TW")).toEqual({
      decision: "exact",
      candidates: [{ intent: "qa.env", confidence: 0.99 }],
    });
    expect(titled.classify("環境變數在哪裡設", "zh-TW").decision).toBe("unsure");
  });

  it("leaves a chit-chat title alone: it names the intent, nobody says it", () => {
    const chat = new RuleClassifier([
      {
        id: "chitchat.rude",
        kind: "chitchat",
        title: { en: "Rude message" },
        examples: { en: ["you suck"] },
      },
    ]);
    expect(chat.classify("rude message", "en").decision).toBe("out_of_scope");
  });

  it("is marked at build time, so the bundled rules.json behaves the same", () => {
    const compiled = compileContentRules({
      intents: [{ id: "qa.s3", examples: {}, keywords: { en: ["bucket", "s3"] } }],
      outOfScope: [{ examples: { en: ["bucket list ideas"] } }],
    });
    expect(compiled.keywords).toEqual([
      { intent: "qa.s3", key: "bucket", words: ["bucket"], cjk: false, ambiguous: true },
      { intent: "qa.s3", key: "s3", words: ["s3"], cjk: false },
    ]);
  });
});

describe("a keyword that other intents' examples use as much as its own", () => {
  // "what is dynamodb" matches its words in any order, so every "what is ... dynamodb" question has it.
  const pack = new RuleClassifier([
    {
      id: "qa.dynamodb-what",
      examples: { en: ["what is dynamodb", "explain dynamodb to me"] },
      keywords: { en: ["what is dynamodb", "nosql"], "zh-TW": ["dynamodb 是什麼"] },
    },
    {
      id: "qa.dynamodb-keys",
      examples: {
        en: ["what is a partition key in dynamodb", "what is the sort key of a dynamodb table"],
        "zh-TW": ["dynamodb 是什麼樣的 key 設計", "分區索引鍵在 dynamodb 是什麼"],
      },
      keywords: { en: ["partition key"] },
    },
  ]);

  it("only offers its intent when it is the only evidence", () => {
    expect(
      pack.classify("AccessDenied when my lambda calls dynamodb, what permission is missing", "en"),
    ).toEqual({ decision: "unsure", candidates: [{ intent: "qa.dynamodb-what", confidence: 1 }] });
    expect(pack.classify("dynamodb 是什麼權限錯誤", "zh-TW").decision).toBe("unsure");
  });

  it("still answers on a keyword of its own, and leaves the other intent's keywords alone", () => {
    expect(pack.classify("is dynamodb a nosql database", "en")).toMatchObject({
      decision: "confident",
      candidates: [{ intent: "qa.dynamodb-what" }],
    });
    expect(pack.classify("how do I pick a partition key", "en")).toMatchObject({
      decision: "confident",
      candidates: [{ intent: "qa.dynamodb-keys" }],
    });
  });
});

describe("rules compiled at build time", () => {
  const content = loadContent(path.join(__dirname, "../../content"));
  const fromContent = new RuleClassifier(content);
  // What `npm run build` writes as rules.json and the webhook handler reads back.
  const fromBuild = new RuleClassifier(JSON.parse(JSON.stringify(compileContentRules(content))));

  it("classify every phrase of the content pack, and variations of it, exactly like rules built from content", () => {
    const inputs = content.intents.flatMap((intent) =>
      [...Object.values(intent.examples), ...Object.values(intent.keywords ?? {})]
        .flat()
        .flatMap((text) => [text, text.toUpperCase(), `${text} please`, text.split(" ").reverse().join(" ")]),
    );
    expect(inputs.length).toBeGreaterThan(1000);
    for (const text of inputs)
      expect(fromBuild.classify(text, "en")).toEqual(fromContent.classify(text, "en"));
  });

  it("refuse a file of another shape with a message that says to rebuild", () => {
    expect(() => new RuleClassifier({ exact: {} } as unknown as CompiledRules)).toThrow(
      /compiled rules are invalid.*npm run build/,
    );
    // rules.json of an older build: one [phrase, intent] pair per example.
    const older = { exact: [["hi", "chitchat.greet"]], patterns: [], keywords: [] };
    expect(() => new RuleClassifier(older as unknown as CompiledRules)).toThrow(/npm run build/);
  });
});
