// The TextMate grammar is the repository's (grammar/upg.tmLanguage.json, checked against the
// parser's keywords by test/docs): packaging copies it in rather than keeping a copy that drifts.
const { copyFileSync, mkdirSync } = require("node:fs");
const { join } = require("node:path");

mkdirSync(join(__dirname, "syntaxes"), { recursive: true });
copyFileSync(join(__dirname, "..", "..", "grammar", "upg.tmLanguage.json"), join(__dirname, "syntaxes", "upg.tmLanguage.json"));
