// Watches the manifest folder (and code folders outside it) and calls `onChange` once per burst of file events:
// editors write a file in several steps (truncate, write, rename), and a reload per step would deploy halves.
import { watch, type FSWatcher } from "node:fs";
import { resolve, sep } from "node:path";

/** Long enough to swallow an editor's save burst, short enough that a redeploy feels immediate. */
export const DEBOUNCE_MS = 200;

export class FolderWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly onChange: () => void,
    private readonly onError: (error: Error) => void,
    private readonly debounceMs = DEBOUNCE_MS,
  ) {}

  /** Watches exactly these folders from now on (adds new ones, drops those no longer listed or nested). */
  setFolders(folders: string[]): void {
    const roots = topLevel(folders.map((f) => resolve(f)));
    for (const [dir, watcher] of this.watchers) {
      if (!roots.includes(dir)) {
        watcher.close();
        this.watchers.delete(dir);
      }
    }
    for (const dir of roots) {
      if (this.watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { recursive: true }, (_event, name) => {
          if (name && isNoise(String(name))) return;
          this.schedule();
        });
        watcher.on("error", (error) => this.onError(error));
        this.watchers.set(dir, watcher);
      } catch (error) {
        this.onError(error as Error);
      }
    }
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.closed) this.onChange();
    }, this.debounceMs);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }
}

/** Files that change without the user changing anything: runtime caches and editor swap files. */
function isNoise(name: string): boolean {
  return (
    /(^|[\\/])(__pycache__|\.git|node_modules)([\\/]|$)/.test(name) || /(\.swp|\.swx|~|\.pyc)$/.test(name)
  );
}

/** Drops folders that lie inside another listed folder: the recursive watch of the outer one covers them. */
function topLevel(folders: string[]): string[] {
  const unique = [...new Set(folders)].sort();
  return unique.filter((dir) => !unique.some((other) => other !== dir && dir.startsWith(other + sep)));
}
