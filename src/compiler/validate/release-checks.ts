/**
 * The OpenStack release sequence of an upgrade plan: `to` must come after `from`
 * (UPG0422, UPG0423), and at most one release later, or two when both are SLURP releases
 * (UPG0424). A version that looks like a release and is not one is a typo (UPG0425), or a
 * release newer than this list (UPG0426). Versions that are not OpenStack releases ("1.0.0")
 * are not checked.
 */
import { type Diagnostic, type Span, diag } from "../../diagnostics/diagnostic.js";
import { suggest } from "../../diagnostics/did-you-mean.js";
import type { Model, ModelPlan } from "../model.js";

interface Release {
  readonly number: string | null;
  readonly name: string;
}

/** In release order. Numbers start with 2023.1; the releases before it have only names. */
const RELEASES: readonly Release[] = [
  { number: null, name: "ussuri" },
  { number: null, name: "victoria" },
  { number: null, name: "wallaby" },
  { number: null, name: "xena" },
  { number: null, name: "yoga" },
  { number: null, name: "zed" },
  { number: "2023.1", name: "antelope" },
  { number: "2023.2", name: "bobcat" },
  { number: "2024.1", name: "caracal" },
  { number: "2024.2", name: "dalmatian" },
  { number: "2025.1", name: "epoxy" },
  { number: "2025.2", name: "flamingo" },
  { number: "2026.1", name: "gazpacho" },
  { number: "2026.2", name: "hibiscus" },
];

/**
 * "Skip Level Upgrade Release Process": from 2023.1 on, every .1 release may be upgraded
 * straight to the next .1, skipping the .2 between them; any other upgrade goes one
 * release at a time. See
 * https://governance.openstack.org/tc/resolutions/20220210-release-cadence-adjustment.html
 */
function isSlurp(release: Release): boolean {
  return release.number?.endsWith(".1") ?? false;
}

export function checkReleases(model: Model): Diagnostic[] {
  const plan = model.plan;
  const unknown = [
    plan.from === null ? null : unknownRelease(plan.from, "from", plan.fromSpan ?? plan.span),
    plan.to === null ? null : unknownRelease(plan.to, "to", plan.toSpan ?? plan.span),
  ].filter((d): d is Diagnostic => d !== null);
  if (unknown.length > 0) return unknown;
  if (plan.kind !== "upgrade" || plan.from === null || plan.to === null) return [];
  const from = releaseIndex(plan.from);
  const to = releaseIndex(plan.to);
  if (from === undefined || to === undefined) return [];
  const problem = sequenceProblem(plan, from, to);
  return problem ? [problem] : [];
}

/** A release number as OpenStack writes them since 2023: the year, a dot, 1 or 2. */
const RELEASE_NUMBER = /^(\d{4})\.(\d+)$/;

/**
 * A version that looks like an OpenStack release and is not one: a number `YYYY.N` the
 * sequence does not have (UPG0425, or UPG0426 when it is later than every release known
 * here), or a word a letter or two away from a release name (UPG0425). Anything else
 * ("1.0.0", a service version "65", a site's own label) is not a release and not checked.
 */
function unknownRelease(version: string, which: "from" | "to", span: Span | null): Diagnostic | null {
  if (releaseIndex(version) !== undefined) return null;
  const at = span ? { span } : {};
  const key = version.trim().toLowerCase();
  const known = RELEASES.map((_, i) => label(i)).join(", ");
  const number = RELEASE_NUMBER.exec(key);
  if (number) {
    const last = RELEASES[RELEASES.length - 1] as Release;
    const minor = Number(number[2]);
    if ((minor === 1 || minor === 2) && last.number !== null && key > last.number) {
      return diag("UPG0426", {
        message: `\`${which}\` "${version}" is later than every OpenStack release this compiler knows: the release sequence is not checked`,
        ...at,
        notes: [`the last release known here is ${label(RELEASES.length - 1)}`],
        help: "a newer upgradec knows it; check the number against https://releases.openstack.org",
      });
    }
    const suggestion = suggest(key, RELEASES.flatMap((r) => (r.number === null ? [] : [r.number])));
    return unknownReleaseError(version, which, at, suggestion, known);
  }
  const suggestion = suggest(key, RELEASES.map((r) => r.name));
  return suggestion === undefined ? null : unknownReleaseError(version, which, at, suggestion, known);
}

function unknownReleaseError(version: string, which: "from" | "to", at: { span?: Span }, suggestion: string | undefined, known: string): Diagnostic {
  return diag("UPG0425", {
    message: `\`${which}\` "${version}" is not an OpenStack release`,
    ...at,
    notes: [`releases, in order: ${known}`],
    help: suggestion !== undefined ? `did you mean "${suggestion}"?` : "write a release's name or number as https://releases.openstack.org lists it",
  });
}

function releaseIndex(version: string): number | undefined {
  const key = version.trim().toLowerCase();
  const index = RELEASES.findIndex((r) => r.number === key || r.name === key);
  return index < 0 ? undefined : index;
}

function sequenceProblem(plan: ModelPlan, from: number, to: number): Diagnostic | null {
  const at = plan.span ? { span: plan.span } : {};
  const fromName = label(from);
  const toName = label(to);
  if (to < from) {
    return diag("UPG0422", {
      message: `the plan upgrades from ${fromName} back to the older ${toName}`,
      ...at,
      notes: ["OpenStack does not support downgrades; to go back, restore a checkpoint taken before the upgrade"],
      help: "swap `from` and `to` if they are the wrong way round",
    });
  }
  if (to === from) {
    // Nothing would be upgraded: no schema to migrate, no version to pin, and every check of
    // old against new (the skew rules, the contract's "no old instance left") would compare a
    // release with itself.
    return diag("UPG0423", {
      message: `the plan upgrades from ${fromName} to the same release`,
      ...at,
      help: "use `kind update` for updates within a release, or fix `to`",
    });
  }
  if (to - from === 1 || (to - from === 2 && isSlurp(RELEASES[from] as Release) && isSlurp(RELEASES[to] as Release))) return null;
  const via = intermediate(from);
  return diag("UPG0424", {
    message: `the plan skips releases from ${fromName} to ${toName}: OpenStack supports upgrades to the next release, or SLURP to SLURP`,
    ...at,
    notes: ["SLURP releases: 2023.1 antelope, 2024.1 caracal, 2025.1 epoxy, 2026.1 gazpacho"],
    help: `upgrade to ${label(via)} first, in a plan of its own, then from there`,
  });
}

/** The furthest release one supported upgrade reaches from `from`. */
function intermediate(from: number): number {
  const release = RELEASES[from] as Release;
  return isSlurp(release) && from + 2 < RELEASES.length ? from + 2 : from + 1;
}

function label(index: number): string {
  const release = RELEASES[index] as Release;
  return release.number ? `${release.number} ${release.name}` : release.name;
}
