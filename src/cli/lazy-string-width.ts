/**
 * string-width, loaded when it is first called. yargs and its layout libraries measure text
 * with it only to lay out help; as it loads, its module (three copies in the bundle) sets up
 * a text segmenter and Unicode-property regular expressions: some 40 ms of every command's
 * start-up. The build (scripts/build.mjs) points every `string-width` import in the bundle
 * here; this loads the package itself from node_modules on the first call.
 */
import { createRequire } from "node:module";

type StringWidth = (text: string, options?: object) => number;

let loaded: StringWidth | undefined;

export default function stringWidth(text: string, options?: object): number {
  loaded ??= (createRequire(import.meta.url)("string-width") as { default: StringWidth }).default;
  return loaded(text, options);
}
