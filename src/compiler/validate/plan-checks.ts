/**
 * Plan-wide safety: a `contract` with no restorable checkpoint before it is a point of no
 * return (UPG0507), and an urgent plan waives every window (UPG0508).
 */
import { type Diagnostic, type Label, diag } from "../../diagnostics/diagnostic.js";
import type { Model, ModelCheckpoint, ModelService } from "../model.js";

/** Where a checkpoint can stand, in the order the plan runs them. */
const POSITIONS: readonly ModelCheckpoint["before"][] = ["prechecks", "expand", "pin", "rollout", "migrate", "unpin", "contract", "cleanup"];

export function checkPlan(model: Model): Diagnostic[] {
  return [...checkPointOfNoReturn(model), ...checkUrgent(model)];
}

function checkPointOfNoReturn(model: Model): Diagnostic[] {
  const contract = POSITIONS.indexOf("contract");
  const restorable = model.checkpoints.filter((c) => c.restore !== null);
  if (restorable.some((c) => POSITIONS.indexOf(c.before) <= contract)) return [];
  const labels: Label[] = model.checkpoints.map((c) => ({
    span: c.span,
    message: c.restore === null ? `checkpoint \`${c.name}\` has no \`restore\`` : `checkpoint \`${c.name}\` comes after the contract`,
  }));
  return model.services.filter(contractsForGood).map((s) => pointOfNoReturn(s, labels));
}

/** A contract that can be undone by its own `undo` command is not a point of no return. */
function contractsForGood(s: ModelService): boolean {
  const contract = s.actions.contract;
  return contract !== undefined && (contract.undo === null || contract.undo === "irreversible");
}

function pointOfNoReturn(s: ModelService, labels: readonly Label[]): Diagnostic {
  const contract = s.actions.contract as NonNullable<ModelService["actions"]["contract"]>;
  return diag("UPG0507", {
    message: `point of no return: the \`contract\` of \`${s.name}\` cannot be rolled back`,
    span: s.nameSpan,
    labels: [{ span: contract.span, message: "the contract runs this" }, ...labels],
    notes: ["no checkpoint with a `restore` stands before the contract phase, so a rollback after it cannot bring the old schema back"],
    help: "take a restorable backup before it, e.g. `checkpoint db-backup before expand { run [...] restore [...] }`",
  });
}

function checkUrgent(model: Model): Diagnostic[] {
  if (!model.plan.urgent) return [];
  const users = windowUsers(model);
  if (users.size === 0) return [];
  return [
    diag("UPG0508", {
      message: `urgent plan: ${users.size === 1 ? "its window is" : `its ${users.size} windows are`} waived, work runs at any time`,
      ...(model.plan.span ? { span: model.plan.span } : {}),
      notes: [...users].map(([name, by]) => `window \`${name}\` is waived${by.length > 0 ? ` (used by ${by.join(", ")})` : ""}`),
      help: "if the windows must hold, remove `urgent` from the plan",
    }),
  ];
}

/** Every window declared or named, with what names it: services, and the reboots of services. */
function windowUsers(model: Model): Map<string, string[]> {
  const users = new Map<string, string[]>(model.windows.map((w) => [w.name, []]));
  const use = (name: string, by: string): void => {
    users.set(name, [...(users.get(name) ?? []), by]);
  };
  for (const s of model.services) {
    if (s.window !== null) use(s.window, `\`${s.name}\``);
    if (s.reboot && s.reboot.window !== null) use(s.reboot.window, `reboots of \`${s.name}\``);
  }
  return users;
}
