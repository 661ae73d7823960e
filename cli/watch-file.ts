// Watching a file the way editors save it. Many editors (and `sed -i`) write a new file and
// rename it over the old one: a watch on the file itself follows the old inode, which is gone,
// and hears nothing after the first save. Watching the folder and picking the file's name out
// of its events sees every save, however it is done.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/** Calls `onChange` (debounced by `settleMs`) after every save of `file`; close() the watcher to stop. */
export function watchSaves(file: string, onChange: () => void, settleMs = 150): FSWatcher {
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(dirname(file), (_event, changed) => {
    // Some platforms give no name: then any change in the folder may be the file.
    if (changed !== null && changed.toString() !== name) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(onChange, settleMs);
  });
  const close = watcher.close.bind(watcher);
  watcher.close = () => {
    if (timer) clearTimeout(timer);
    close();
  };
  return watcher;
}
