/**
 * Service tags (UPG0509): a tag outside the known set is most likely a typo, and a
 * misspelt `rolling-upgrade` silently turns a rolling service into an all-at-once one.
 */
import { type Diagnostic, diag } from "../../diagnostics/diagnostic.js";
import { suggest } from "../../diagnostics/did-you-mean.js";
import type { Model, ModelService } from "../model.js";

/** Ours, then the OpenStack governance tags a project may assert (supports-*). */
export const KNOWN_TAGS: readonly string[] = [
  "rolling-upgrade",
  "zero-downtime",
  // The operator has seen the all-at-once downtime and accepts it: UPG0506 is not repeated
  // (the preview still shows the downtime).
  "downtime-accepted",
  "supports-upgrade",
  "supports-rolling-upgrade",
  "supports-accessible-upgrade",
  "supports-zero-downtime-upgrade",
  "supports-zero-impact-upgrade",
];

export function checkTags(model: Model): Diagnostic[] {
  return model.services.flatMap((s) => s.tags.filter((t) => !KNOWN_TAGS.includes(t)).map((t) => unknownTag(s, t)));
}

function unknownTag(s: ModelService, tag: string): Diagnostic {
  const near = suggest(tag, KNOWN_TAGS);
  return diag("UPG0509", {
    message: `unknown tag \`${tag}\` on service \`${s.name}\``,
    span: s.nameSpan,
    ...(near ? {} : { notes: [`known tags: ${KNOWN_TAGS.join(", ")}`] }),
    help: near ? `did you mean \`${near}\`?` : "remove the tag, or use one of the known tags",
  });
}
