/**
 * The language server's speed as an editor feels it: `npx tsx bench/lsp.ts [hosts]`
 * (default 1000; build first, `npm run build`). A generated cloud (bench/cloud.ts: 15
 * services, an INI inventory of that many hosts) is opened in the built `upgradec lsp`
 * through a real client over stdio; then each of 20 edits (a `takes` changed, every other
 * one an unknown window that compile reports) is timed from the change sent to its
 * diagnostics received: the debounce (50 ms) and a whole compile. Figures only, no
 * asserts; the goal is under 200 ms.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LspClient } from "../test/lsp/lsp-client.js";
import { cloud, sourceText } from "./cloud.js";

const hosts = Number(process.argv[2] ?? 1000);
const EDITS = 20;
const dir = mkdtempSync(join(tmpdir(), "upgradec-bench-lsp-"));
const { upg, ini } = sourceText(cloud(hosts));
const file = join(dir, "cloud.upg");
writeFileSync(file, upg);
writeFileSync(join(dir, "hosts.ini"), ini);

const client = await LspClient.start(dir);
try {
  const uri = client.uri(file);
  let t = performance.now();
  const opened = client.diagnostics(uri);
  await client.open(file, upg);
  const first = await opened;
  console.log(`${hosts} hosts: open → diagnostics ${(first.at - t).toFixed(0)} ms (${first.diagnostics.length} diagnostics)`);

  const times: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const broken = i % 2 === 1;
    let text = upg.replace("{ takes 5m }", `{ takes ${5 + i}m }`);
    if (broken) text = text.replace("plane control", "plane control\n  window nowhere");
    const got = client.diagnostics(uri, (d) => d.some((x) => x.code === "UPG0228") === broken);
    t = performance.now();
    await client.change(file, text);
    const published = await got;
    times.push(published.at - t);
  }
  times.sort((a, b) => a - b);
  const at = (q: number): string => (times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN).toFixed(0);
  console.log(`${hosts} hosts: change → diagnostics over ${EDITS} edits: median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${at(1)} ms (goal: under 200 ms)`);
} finally {
  await client.stop();
  rmSync(dir, { recursive: true, force: true });
}
