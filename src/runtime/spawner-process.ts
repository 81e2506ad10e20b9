/**
 * The spawner: a small Node process that starts the runner's commands for it (spawner.ts).
 *
 * Why: Node forks on Linux (no vfork), and the runner, waiting in each fork until the child has
 * exec'd, spends most of a large run of short commands there, unable to journal meanwhile. This
 * process forks as cheaply as Node can, while the runner journals on the other core.
 *
 * Protocol, JSON lines: on stdin the runner's environment once, then commands to start and
 * scratch files to let go; on stdout each command's pid once started, and its end. A command's
 * stdout and stderr are the runner's scratch file, opened here through /proc/RUNNER/fd/N (the
 * same file, unlinked, appended to). At the end of stdin (the runner closed it, or died) this
 * process exits at once, leaving the commands running in their own process groups, as a
 * killed runner leaves them.
 */
import type { ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { ending, spawnChild } from "./launcher.js";

type Order =
  | { readonly t: "env"; readonly env: Record<string, string> }
  | {
      readonly t: "run";
      readonly id: number;
      readonly file: string;
      readonly args: string[];
      readonly env: Record<string, string>;
      readonly cwd: string;
      readonly input: string | null;
      /** The scratch file's number in the runner's pool, and the runner's descriptor of it. */
      readonly out: number;
      readonly fd: number;
    }
  | { readonly t: "drop"; readonly out: number };

function main(): void {
  const runner = Number(process.argv[2]);
  const outputs = new Map<number, number>();
  let baseEnv: Record<string, string> = {};
  let pending = "";
  const replies: string[] = [];
  let replyQueued = false;

  // Replies of one turn go in one write.
  const reply = (message: Record<string, unknown>): void => {
    replies.push(JSON.stringify(message));
    if (replyQueued) return;
    replyQueued = true;
    setImmediate(() => {
      replyQueued = false;
      process.stdout.write(replies.join("\n") + "\n");
      replies.length = 0;
    });
  };

  const outputOf = (order: Extract<Order, { t: "run" }>): number => {
    let fd = outputs.get(order.out);
    if (fd === undefined) {
      fd = openSync(`/proc/${runner}/fd/${order.fd}`, "a");
      outputs.set(order.out, fd);
    }
    return fd;
  };

  const run = (order: Extract<Order, { t: "run" }>): void => {
    let child: ChildProcess;
    try {
      child = spawnChild({ file: order.file, args: order.args, env: { ...baseEnv, ...order.env }, cwd: order.cwd, input: order.input }, outputOf(order));
    } catch (error) {
      reply({ t: "end", id: order.id, code: null, signal: null, error: error instanceof Error ? error.message : String(error) });
      return;
    }
    if (child.pid !== undefined) reply({ t: "pid", id: order.id, pid: child.pid });
    void ending(child).then((end) => reply({ t: "end", id: order.id, code: end.exitCode, signal: end.signal, error: end.error }));
  };

  const handle = (order: Order): void => {
    if (order.t === "env") baseEnv = order.env;
    else if (order.t === "run") run(order);
    else {
      const fd = outputs.get(order.out);
      outputs.delete(order.out);
      if (fd !== undefined) closeSync(fd);
    }
  };

  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk: string) => {
    const lines = (pending + chunk).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) handle(JSON.parse(line) as Order);
  });
  // The runner has closed its end or died: the commands go on in their own groups.
  process.stdin.on("end", () => process.exit(0));
  process.stdout.on("error", () => process.exit(0));
}

main();
