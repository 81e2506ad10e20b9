/**
 * What a step keeps out of service, as the compiler proves the caps and the runtime enforces
 * them: its `unavailable` entries as (host, service) keys, and the *chain* each belongs to (the
 * steps with the same key, service and batch: a host's maintenance, evacuation, upgrade,
 * reboot and health gate in one batch). A host is out for a service from the start of its
 * chain's first step until the chain's last step has succeeded.
 */
import type { PlanFile, PlanStep, Unavailable } from "./plan.js";

export interface OutKey {
  readonly host: string;
  readonly service: string;
}

export interface Chain {
  readonly id: string;
  readonly key: OutKey;
}

export function keysOfStep(step: PlanStep, servicesOnHost: ReadonlyMap<string, readonly string[]>): OutKey[] {
  // Most steps take one instance out: its key, without the look for duplicates.
  if (step.unavailable.length === 1) {
    const u = step.unavailable[0] as Unavailable;
    if ("service" in u) return [{ host: u.host, service: u.service }];
  }
  const keys: OutKey[] = [];
  // Each (host, service) once; a host's keys are few, so a duplicate is looked for among them.
  const byHost = new Map<string, OutKey[]>();
  for (const u of step.unavailable) {
    if ("service" in u) addKey(keys, byHost, u.host, u.service);
    else {
      for (const service of servicesOnHost.get(u.host) ?? []) addKey(keys, byHost, u.host, service);
      if (step.service !== null) addKey(keys, byHost, u.host, step.service);
    }
  }
  return keys;
}

function addKey(keys: OutKey[], byHost: Map<string, OutKey[]>, host: string, service: string): void {
  let mine = byHost.get(host);
  if (mine === undefined) {
    mine = [];
    byHost.set(host, mine);
  } else if (mine.some((k) => k.service === service)) return;
  const key = { host, service };
  mine.push(key);
  keys.push(key);
}

export function chainsOfStep(step: PlanStep, servicesOnHost: ReadonlyMap<string, readonly string[]>): Chain[] {
  return keysOfStep(step, servicesOnHost).map((key) => ({
    id: `${key.host}\u0000${key.service}\u0000${step.service ?? ""}\u0000${step.batch ?? "-"}`,
    key,
  }));
}

export function servicesByHost(plan: PlanFile): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const service of plan.services) {
    for (const host of service.hosts) {
      const list = out.get(host) ?? [];
      list.push(service.name);
      out.set(host, list);
    }
  }
  return out;
}
