import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderPreview } from "../../src/preview/preview.js";
import type { PlanFile } from "../../src/plan/plan.js";
import { fixturePlan } from "../support/plan-builder.js";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env["CI"] === "true") {
  throw new Error(`the HTML preview test needs Debian's chromium at ${CHROMIUM}; .ci/run installs it (apt-get install -y chromium)`);
}

const html = (plan: PlanFile): string => renderPreview(plan, "html", { steps: false, color: false });

/** Bars the page must draw: one per rollout batch, one per service (or plan-level) group in every other phase. */
function expectedBars(plan: PlanFile): { batches: number; once: number } {
  const batches = new Set<string>();
  const once = new Set<string>();
  for (const s of plan.steps) {
    if (s.phase === "rollout" && s.batch !== null) {
      if (s.action !== "batch-pause") batches.add(`${s.service}/${s.batch}`);
    } else {
      once.add(`${s.phase}/${s.service ?? ""}`);
    }
  }
  return { batches: batches.size, once: once.size };
}

/** The fixture with db-backup a marker only: nothing restores the contract's schema, so it is a point of no return. */
function withoutRestore(plan: PlanFile): PlanFile {
  return {
    ...plan,
    checkpoints: plan.checkpoints.map((c) => ({ ...c, restore: null })),
    steps: plan.steps.map((s) => (s.checkpoint !== null ? { ...s, undo: null } : s)),
  };
}

describe("html preview, as text", () => {
  const plan = fixturePlan();
  const page = html(plan);

  it("marks a point of no return only where no checkpoint's restore covers it", () => {
    expect(page).not.toContain('id="ponr"');
    expect(html(withoutRestore(plan))).toContain('id="ponr"');
  });

  it("is one self-contained document that names no outside address", () => {
    expect(page.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(page).not.toMatch(/https?:|\/\/[a-z0-9]|<link\b|\bsrc=|@import|url\((?!#)/i);
    expect(page).toContain("Content-Security-Policy");
    expect(page).toBe(html(fixturePlan()));
  });

  it("draws batches, not hosts, at 10,000 hosts", () => {
    const big = fixturePlan({ computeHosts: 10_000, zones: 3, perZone: 400 });
    const bigPage = html(big);
    const bars = expectedBars(big);
    expect(bigPage.match(/class="bar batch/g)?.length).toBe(bars.batches);
    expect(bigPage.length).toBeLessThan(200_000);
  });
});

describe.skipIf(!haveChromium)("html preview in headless Chromium", () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "upgradec-html-"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("renders the timeline, the DAG and the impact table, offline, and makes no request but for itself", async () => {
    const plan = withoutRestore(fixturePlan());
    const file = join(dir, "plan.html");
    writeFileSync(file, html(plan));
    const url = pathToFileURL(file).href;
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await page.goto(url, { waitUntil: "load" });

    const bars = expectedBars(plan);
    expect(await page.locator("#gantt rect.bar.batch").count()).toBe(bars.batches);
    expect(await page.locator("#gantt rect.bar.once").count()).toBe(bars.once);
    expect(await page.locator("#gantt rect.window").count()).toBe(plan.timing.windowsUsed.length);
    expect(await page.locator("#gantt #ponr").count()).toBe(1);
    // The day between the two nights is folded, not drawn to scale.
    expect(await page.locator("#gantt rect.fold").count()).toBe(1);
    expect(await page.locator("#gantt rect.fold title").textContent()).toBe(
      "nothing runs for 22h: Sat 2026-12-05 01:00 → Sat 2026-12-05 23:00 (folded)",
    );
    expect(await page.locator("#dag-svg g.dag-node").count()).toBe(plan.services.length);
    expect(await page.locator("#dag-svg path.dag-edge").count()).toBe(plan.services.reduce((n, s) => n + s.after.length, 0));
    expect(await page.locator("#impact-table tbody tr").count()).toBe(plan.impact.services.length);
    expect(await page.locator("#phases-table tbody tr").count()).toBe(new Set(plan.steps.map((s) => s.phase)).size);
    expect(await page.locator("#dag-svg g.dag-node.all-at-once").getAttribute("data-service")).toBe("cinder-volume");

    // Laid out for real: bars have width, the DAG's layers go left to right along the dependencies.
    const firstBatch = await page.locator('#gantt rect.bar.batch[data-service="nova-compute"]').first().boundingBox();
    expect(firstBatch?.width ?? 0).toBeGreaterThan(1);
    const x = async (name: string): Promise<number> => (await page.locator(`#dag-svg g.dag-node[data-service="${name}"]`).boundingBox())?.x ?? NaN;
    expect(await x("keystone")).toBeLessThan(await x("glance-api"));
    expect(await x("glance-api")).toBeLessThan(await x("nova-conductor"));
    expect(await x("nova-conductor")).toBeLessThan(await x("nova-compute"));

    // Hover titles carry the details.
    const title = await page.locator('#gantt rect.bar.batch[data-service="nova-compute"][data-batch="1"] title').textContent();
    expect(title).toContain("nova-compute batch 2/5: cmp002..cmp004 (3 hosts)");

    // The script highlights one service across the page.
    await page.locator('#dag-svg g.dag-node[data-service="nova-compute"]').hover();
    expect(await page.locator("body.dim-others").count()).toBe(1);
    expect(await page.locator('.hl[data-service="nova-compute"]').count()).toBeGreaterThan(5);

    const shot = join(dir, "plan.png");
    await page.screenshot({ path: shot, fullPage: true });
    const png = readFileSync(shot);
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(png.readUInt32BE(16)).toBe(1300);
    expect(png.readUInt32BE(20)).toBeGreaterThan(900);
    expect(png.length).toBeGreaterThan(30_000);

    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });

  it("makes no request when loaded with setContent either, even at 10,000 hosts", async () => {
    const big = fixturePlan({ computeHosts: 10_000, zones: 3, perZone: 400 });
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.setContent(html(big), { waitUntil: "load" });
    expect(await page.locator("#gantt rect.bar.batch").count()).toBe(expectedBars(big).batches);
    expect(await page.locator("#dag-svg g.dag-node").count()).toBe(big.services.length);
    expect(requests).toEqual([]);
    await page.close();
  });
});
