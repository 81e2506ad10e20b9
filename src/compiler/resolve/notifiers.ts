/**
 * `notify` declarations: each one merged with the chain it extends (the nearest `on`, `run`
 * and vars win), checked, and kept when it fires on at least one event. A notifier without
 * `on` anywhere in its chain is a template (the standard library's `notify.webhook`): it is
 * extended, never run by itself.
 */
import { type Diagnostic, diag } from "../../diagnostics/diagnostic.js";
import type { NotifyDecl } from "../../parser/ast.js";
import type { NotifyEvent } from "../../base/notify-events.js";
import type { VarValue } from "../../plan/plan.js";
import type { ModelAction, ModelNotifier } from "../model.js";
import { modelAction } from "./actions.js";
import { lookup, unknownName, type Declared, type Tables } from "./scope.js";
import { varValue } from "./services.js";

/** A notifier that names no timeout gets this one (seconds): a notifier never runs unbounded. */
export const DEFAULT_NOTIFY_TIMEOUT = 30;

/** The declaration and those it extends, nearest first; null (reported) when the chain is broken. */
function chainOf(start: Declared<NotifyDecl>, tables: Tables, diagnostics: Diagnostic[]): Declared<NotifyDecl>[] | null {
  const chain = [start];
  const seen = new Set([start.qualified]);
  for (let at = start; at.decl.extends !== undefined; ) {
    const name = at.decl.extends;
    const found = lookup(tables.notifiers, name.text, at.file.namespace);
    if (found.found === null) {
      diagnostics.push(unknownName("UPG0260", "notifier", name, found.suggestion, [...tables.notifiers.keys()]));
      return null;
    }
    if (seen.has(found.found.qualified)) {
      diagnostics.push(diag("UPG0260", {
        message: `notifiers extend each other in a cycle: ${[...chain.map((c) => c.qualified), found.found.qualified].join(" -> ")}`,
        span: name.span,
        help: "remove one of the `extends`",
      }));
      return null;
    }
    seen.add(found.found.qualified);
    chain.push(found.found);
    at = found.found;
  }
  return chain;
}

function withTimeout(action: ModelAction): ModelAction {
  if (action.spec.timeout !== undefined && action.spec.timeout !== null) return action;
  return { ...action, spec: { ...action.spec, timeout: DEFAULT_NOTIFY_TIMEOUT } };
}

function mergeNotifier(chain: readonly Declared<NotifyDecl>[], diagnostics: Diagnostic[]): ModelNotifier | null {
  const first = chain[0];
  if (first === undefined) return null;
  const on = chain.find((d) => d.decl.events !== undefined)?.decl.events;
  const events: NotifyEvent[] = [...new Set((on?.names ?? []).map((n) => n.value))];
  if (events.length === 0) return null;
  const run = chain.find((d) => d.decl.run !== undefined)?.decl.run;
  if (run === undefined) {
    diagnostics.push(diag("UPG0261", {
      message: `notifier '${first.qualified}' fires on ${events.join(", ")} but runs no command`,
      span: first.decl.name.span,
      help: 'give it a command: run ["curl", "--data-binary", "@-", "{url}"], or extend one that has it (notify.webhook)',
    }));
    return null;
  }
  if (run.command.kind === "module") {
    diagnostics.push(diag("UPG0262", {
      message: `notifier '${first.qualified}' runs a TypeScript module; a notifier runs a program`,
      span: run.span,
      help: 'write it as a list of arguments (["curl", ...]) or a `shell "..."` script',
    }));
    return null;
  }
  const vars: Record<string, VarValue> = {};
  // Farthest first, so the nearest declaration's value wins.
  for (const layer of [...chain].reverse()) for (const v of layer.decl.vars) vars[v.name.text] = varValue(v.value);
  return { name: first.qualified, events, vars, action: withTimeout(modelAction(run)), span: first.decl.span };
}

/** Every notifier that fires, merged; the problems of those that cannot. */
export function resolveNotifiers(tables: Tables, diagnostics: Diagnostic[]): ModelNotifier[] {
  const out: ModelNotifier[] = [];
  for (const declared of tables.notifiers.values()) {
    const chain = chainOf(declared, tables, diagnostics);
    if (chain === null) continue;
    const merged = mergeNotifier(chain, diagnostics);
    if (merged !== null) out.push(merged);
  }
  return out;
}
