/**
 * The plan file's text and digest (src/plan/plan-text.ts): the text parses back to the plan,
 * and the digest the compiler seals a plan with is the one the runtime computes from the
 * parsed file, for plans of any shape.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PlanFile } from "../../src/plan/plan.js";
import { layRun, planDigest, planFileText, sealPlan, type PlanTextSink } from "../../src/plan/plan-text.js";

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

const key = fc.oneof(fc.string().filter((k) => k !== "__proto__" && k !== "digest"), fc.constantFrom("10", "2", "0", "a", "é", 'q"uote', "new\nline"));
const json = fc.letrec((tie) => ({
  leaf: fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined)),
  node: fc.oneof({ depthSize: "small" }, tie("leaf"), fc.array(tie("node")), fc.dictionary(key, tie("node"))),
})).node;
/** Anything shaped like a plan body: format and fingerprint first, then any members (named, as a plan's are, not numbered). */
const member = key.map((k) => `m${k}`);
const body = fc.tuple(fc.string(), fc.dictionary(member, json)).map(([fingerprint, rest]) => ({ format: "upgradec.plan/1", fingerprint, ...rest }) as unknown as Omit<PlanFile, "digest">);

describe("the plan file's text and digest", () => {
  it("seals with sha256 of the compact JSON, and the parsed text gives the plan and the same digest back", () => {
    fc.assert(
      fc.property(body, (b) => {
        const plan = sealPlan(b);
        expect(plan.digest).toBe(sha256(JSON.stringify(b)));
        expect(Object.keys(plan).slice(0, 3)).toEqual(["format", "fingerprint", "digest"]);
        const text = planFileText(plan);
        const parsed = JSON.parse(text) as PlanFile;
        expect(parsed).toEqual(JSON.parse(JSON.stringify(plan)));
        expect(planDigest(parsed)).toBe(plan.digest);
        // A plan not sealed here (read from a file, built by hand) is written the same way.
        expect(planFileText(parsed)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it("gives a sink, piece by piece, the same text it keeps without one, the digest's line written over at the end", () => {
    fc.assert(
      fc.property(body, (b) => {
        const file = recorded();
        const streamed = sealPlan(b, file.sink);
        const kept = sealPlan(b);
        expect(streamed).toEqual(kept);
        expect(file.text()).toBe(planFileText(kept));
      }),
      { numRuns: 200 },
    );
    // Runs of steps large enough to go to the sink as they are made.
    const steps = Array.from({ length: 20_000 }, (_, i) => ({ id: `s/h${i}/stop`, after: i > 0 ? [`s/h${i - 1}/stop`] : [], estimate: { start: i, duration: 1 } }));
    const big = { format: "upgradec.plan/1", fingerprint: "f", steps, timing: { total: 20_000 } } as unknown as Omit<PlanFile, "digest">;
    const file = recorded();
    const streamed = sealPlan(big, file.sink);
    expect(file.runs()).toBeGreaterThan(1);
    expect(file.text()).toBe(planFileText(sealPlan(big)));
    expect(streamed.digest).toBe(sha256(JSON.stringify(big)));
    // A sink that cannot tell the digest (its thread did not answer): sealPlan computes it, and the line it gives is the same.
    const silent = recorded();
    const sealed = sealPlan(big, { ...silent.sink, digest: () => null });
    expect(sealed.digest).toBe(streamed.digest);
    expect(silent.text()).toBe(file.text());
    // The same when the body's members come in another order than the plan's (format and fingerprint first).
    const { format, fingerprint, ...others } = big;
    const shuffled = { ...others, fingerprint, format } as unknown as Omit<PlanFile, "digest">;
    const reordered = recorded();
    const fromShuffled = sealPlan(shuffled, { ...reordered.sink, digest: () => null });
    expect(fromShuffled.digest).toBe(planDigest(JSON.parse(reordered.text()) as PlanFile));
    expect(fromShuffled.digest).toBe(sealPlan(shuffled).digest);
  });

  it("puts each step on a line of its own and changes the digest for any edit", () => {
    const plan = sealPlan({ format: "upgradec.plan/1", fingerprint: "f", steps: [{ id: "a", after: [] }, { id: "b", after: ["a"] }], timing: { total: 60 } } as unknown as Omit<PlanFile, "digest">);
    expect(planFileText(plan)).toBe(
      [
        "{",
        '  "format": "upgradec.plan/1",',
        '  "fingerprint": "f",',
        `  "digest": "${plan.digest}",`,
        '  "steps": [',
        '    {"id":"a","after":[]},',
        '    {"id":"b","after":["a"]}',
        "  ],",
        '  "timing": {',
        '    "total": 60',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
    const edited = JSON.parse(planFileText(plan).replace('"total": 60', '"total": 61')) as PlanFile;
    expect(planDigest(edited)).not.toBe(plan.digest);
    const reordered = JSON.parse(planFileText(plan).replace('{"id":"a","after":[]}', '{"after":[],"id":"a"}')) as PlanFile;
    expect(planDigest(reordered)).not.toBe(plan.digest);
  });

  it("writes each step as JSON.stringify would, shared command specs, unusual steps and all", () => {
    const spec = { command: { kind: "argv", argv: ["systemctl", "stop", "x"] }, timeout: null, grace: 10, retries: 0, backoff: 5, env: { A: "é\"" }, cwd: null };
    const step = (id: string, extra: object = {}) => ({
      id, phase: "rollout", service: "x", hosts: [id], action: "stop", command: spec, after: [], estimate: { start: 0, duration: 30 },
      window: null, unavailable: [{ host: id, service: "x" }], batch: 0, checkpoint: null, undo: "irreversible", done: spec, health: null, ...extra,
    });
    const { phase, ...others } = step("c");
    const reordered = { phase, ...others };
    const steps = [step("a"), step("b", { health: { every: 5, within: 60, healthyFor: 10, onDeadline: "stop" } }), reordered, step("d", { window: undefined }), step("e", { extra: 1 })];
    expectStepLines(steps);
  });

  it("lays a run of elements out one per line, and never changes its JSON", () => {
    const tricky = fc.constantFrom('},{"id":"', "},{", '\\"', "[{", "}]", ",", '"', "\\", "\n");
    const text = fc.oneof(fc.string(), tricky, fc.array(tricky).map((parts) => parts.join("")));
    const withId = fc.record({ id: text });
    // Elements as emit makes steps (each starts with its id), holding anything, objects with ids too.
    const steps = fc.array(fc.record({ id: text, notes: fc.array(fc.oneof(withId, text, fc.integer())), more: fc.dictionary(text, text) }), { minLength: 1, maxLength: 12 });
    // Elements of any shape that hold no object starting with an id.
    const plain = fc.array(fc.oneof(withId, fc.record({ other: text }), text, fc.array(fc.oneof(text, fc.integer()))), { minLength: 1, maxLength: 12 });
    // Anything at all: an element that starts otherwise and one that holds objects with ids
    // can hide each other's count, and a line may then break inside an element (see separatorOf).
    const any = fc.array(fc.oneof(withId, text, fc.array(withId)), { minLength: 1, maxLength: 12 });
    const laid = (elements: unknown[]): string => layRun(JSON.stringify(elements).slice(1, -1), '},{"id":"', elements.length);
    fc.assert(
      fc.property(fc.oneof(steps, plain), (elements: unknown[]) => {
        expect(laid(elements)).toBe(elements.map((e) => JSON.stringify(e)).join(",\n    "));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(any, (elements: unknown[]) => {
        // JSON text holds no raw line break, so the ones layRun adds are all there is to take out.
        expect(laid(elements).split(",\n    ").join(",")).toBe(JSON.stringify(elements).slice(1, -1));
      }),
      { numRuns: 300 },
    );
  });

  it("writes thousands of steps a line each, whether or not a step holds text that looks like the line between two steps", () => {
    const spec = { command: { kind: "argv", argv: ["systemctl", "stop", "x"] }, timeout: null };
    const step = (i: number) => ({ id: `s/b${i % 7}/h${i}/stop`, phase: "rollout", command: spec, after: i > 0 ? [`s/b${(i - 1) % 7}/h${i - 1}/stop`] : [], estimate: { start: i, duration: 1.5 } });
    // 20k steps: more than one JSON.stringify run; a step whose JSON holds `},{"id":"` inside
    // it (objects in an array whose first member is an id) cannot be split at that text.
    const plain = Array.from({ length: 20_000 }, (_, i) => step(i));
    const tricky = plain.map((s, i) => (i === 12_345 ? { ...s, notes: [{ id: "a" }, { id: "b" }], text: '},{"id":"' } : s));
    for (const steps of [plain, tricky]) expectStepLines(steps);
  });
});

/** A sink that writes what it is given into a text, as the plan file's writer does into the file, and hashes the compact JSON. */
function recorded(): { sink: PlanTextSink; text(): string; runs(): number } {
  let text = "";
  let digestAt = -1;
  let placeholder = "";
  let runs = 0;
  const hash = createHash("sha256");
  const sink: PlanTextSink = {
    text: (file, compact) => {
      text += file;
      hash.update(compact);
    },
    run: (json, between, count) => {
      runs++;
      text += layRun(json, between, count);
      hash.update(json);
    },
    digestLine: (line) => {
      digestAt = text.length;
      placeholder = line;
      text += line;
    },
    digest: () => hash.digest("hex"),
    sealed: (line) => {
      expect(line.length).toBe(placeholder.length);
      text = text.slice(0, digestAt) + line + text.slice(digestAt + line.length);
    },
  };
  return { sink, text: () => text, runs: () => runs };
}

/** A plan of these steps seals with sha256 of its JSON, and its file has each step on a line, as JSON.stringify writes it. */
function expectStepLines(steps: readonly object[]): void {
  const body = { format: "upgradec.plan/1", fingerprint: "f", steps } as unknown as Omit<PlanFile, "digest">;
  const plan = sealPlan(body);
  expect(plan.digest).toBe(sha256(JSON.stringify(body)));
  const lines = planFileText(plan).split("\n");
  const first = lines.indexOf('  "steps": [') + 1;
  expect(lines.slice(first, first + steps.length).map((l) => l.trim().replace(/,$/, ""))).toEqual(steps.map((s) => JSON.stringify(s)));
  expect(lines[first + steps.length]).toBe("  ]");
}
