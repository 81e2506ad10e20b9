/**
 * How the plan's commands reach a host. A host's connection says it when it has one; a plan
 * built on the standard library keeps the built-in `local` connection and reaches its hosts
 * through ssh at the head of the commands themselves (`{on-host}`, `{in-service}`). `check`
 * must probe a host the way its steps will reach it, so the route is read from those
 * commands: each one, with its placeholders substituted as a run substitutes them, that
 * runs ssh gives `ssh OPTIONS -- DESTINATION`, and `ssh OPTIONS -- DESTINATION true` is the
 * probe.
 */
import type { PlanCommandSpec, PlanFile } from "../plan/plan.js";
import { substituteArgv } from "../runtime/command-line.js";
import { parseSsh, reparsesArguments } from "../runtime/remote-shell.js";
import { stepVars, type StepExecContext } from "../runtime/step-exec.js";
import { probeStep } from "./probe-runner.js";

/** The ssh route (program, options, `--`, destination) of one command for one host, or null when it runs here. */
function routeOf(ctx: StepExecContext, spec: PlanCommandSpec, service: string | null, host: string): string[] | null {
  if (spec.command.kind !== "argv") return null;
  // A program written out (no placeholder) that is not ssh runs here, whatever the host: no
  // need to substitute the command for each of a large plan's hosts to see it.
  const program = spec.command.argv[0];
  if (program !== undefined && !program.includes("{") && !reparsesArguments(program)) return null;
  const vars = stepVars(ctx, probeStep("route", service, host), host);
  const argv = substituteArgv(spec.command.argv, { vars, secrets: {} });
  if (!argv.ok || !reparsesArguments(argv.args[0])) return null;
  const call = parseSsh(argv.args);
  return call === null ? null : [call.program, ...call.options, "--", call.destination];
}

/**
 * For each host whose connection is `local`, the ssh routes its steps' commands (and its
 * services' version queries) take to it, each once, in plan order. A host absent from the
 * map is reached by no command through ssh.
 */
export function sshRoutes(ctx: StepExecContext): Map<string, string[][]> {
  const plan: PlanFile = ctx.plan;
  const local = new Set(plan.hosts.filter((h) => h.connection === "local").map((h) => h.name));
  const routes = new Map<string, Map<string, string[]>>();
  const add = (host: string, route: string[] | null): void => {
    if (route === null) return;
    let known = routes.get(host);
    if (known === undefined) routes.set(host, (known = new Map()));
    known.set(JSON.stringify(route), route);
  };
  for (const step of plan.steps) {
    const specs = [step.command, step.done, typeof step.undo === "object" ? step.undo : null].filter((s): s is PlanCommandSpec => s !== null);
    for (const host of step.hosts) if (local.has(host)) for (const spec of specs) add(host, routeOf(ctx, spec, step.service, host));
  }
  for (const service of plan.services) {
    const spec = service.version;
    if (spec !== null) for (const host of service.hosts) if (local.has(host)) add(host, routeOf(ctx, spec, service.name, host));
  }
  return new Map([...routes].map(([host, known]) => [host, [...known.values()]]));
}
