/**
 * Ends this process soon after the process that started it has gone. A package manager running
 * `pnpm trainer` or `pnpm start` cannot pass a SIGKILL on to the trainer it started, which would
 * otherwise keep training as an orphan; once orphaned, the process is re-parented, so its parent
 * pid changes. Checked every `intervalMs` (default 1000 ms) on a timer that keeps nothing alive.
 * @example watchParent(() => process.exit(1));
 */
export function watchParent(onGone: () => void, intervalMs = 1000): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Whether this process was started by a package-manager script (`pnpm trainer`, `npm run …`,
 * `npx`): then the script's process is the command the user sees, and its end must end this one.
 * A command started from a shell, `nohup` or a service manager keeps running when its parent exits.
 */
export function startedByPackageManager(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.npm_lifecycle_event !== undefined;
}
