/**
 * GRUB's menu as grub-mkconfig writes it (/boot/grub/grub.cfg), reduced to what a kernel switch
 * needs: every entry with the kernel it boots, its id path for `grub-reboot`, and which entry is
 * the default. Pure: the text is read over SSH by the caller.
 */
export interface MenuEntry {
  /** Titles from the top level down ("Advanced options for Debian GNU/Linux", "Debian GNU/Linux, with Linux ..."). */
  titles: string[];
  /** $menuentry_id_option ids, same path; an entry without an id uses its title. */
  ids: string[];
  /** Release of the `linux /boot/vmlinuz-<release>` line. */
  release?: string;
  /** The kernel command line after the image path. */
  cmdline?: string;
  /** The image and initrd paths as GRUB names them (relative to the partition holding them: /boot when it is its own). */
  image?: string;
  initrds?: string[];
  /** Position at each level, same path (what GRUB_DEFAULT=N or "1>2" counts; a submenu counts as one at its level). */
  positions: number[];
  recovery: boolean;
}

function quoted(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"/g)].map((m) => m[1] ?? m[2] ?? '');
}

export function parseGrubMenu(cfg: string): MenuEntry[] {
  const out: MenuEntry[] = [];
  const stack: { kind: 'menuentry' | 'submenu' | 'block'; title: string; id: string; position: number; entry?: MenuEntry }[] = [];
  // The last position used at each menu depth; a submenu starts its own count.
  const counters: number[] = [];
  for (const raw of cfg.split('\n')) {
    const line = raw.trim();
    const m = /^(menuentry|submenu)\s/.exec(line);
    if (m) {
      const q = quoted(line);
      const idMatch = /\$menuentry_id_option\s+'([^']*)'/.exec(line);
      const title = q[0] ?? '';
      const id = idMatch?.[1] ?? title;
      const inMenu = stack.filter((s) => s.kind !== 'block');
      const depth = inMenu.length;
      counters.length = depth + 1;
      const position = (counters[depth] = (counters[depth] ?? -1) + 1);
      const frame: (typeof stack)[number] = { kind: m[1] as 'menuentry' | 'submenu', title, id, position };
      if (m[1] === 'menuentry') {
        frame.entry = {
          titles: [...inMenu.map((s) => s.title), title],
          ids: [...inMenu.map((s) => s.id), id],
          positions: [...inMenu.map((s) => s.position), position],
          recovery: /recovery mode/i.test(title),
        };
        out.push(frame.entry);
      }
      if (line.endsWith('{')) stack.push(frame);
      continue;
    }
    const linux = /^linux(?:16|efi)?\s+(\S*\/vmlinuz-(\S+))\s*(.*)$/.exec(line);
    if (linux) {
      const entry = [...stack].reverse().find((s) => s.entry)?.entry;
      if (entry && entry.release === undefined) {
        entry.release = linux[2]!;
        entry.image = linux[1]!;
        entry.cmdline = linux[3]!.trim();
        if (/(^|\s)single(\s|$)/.test(entry.cmdline)) entry.recovery = true;
      }
      continue;
    }
    const initrd = /^initrd(?:16|efi)?\s+(.+)$/.exec(line);
    if (initrd) {
      const entry = [...stack].reverse().find((s) => s.entry)?.entry;
      if (entry && entry.initrds === undefined) entry.initrds = initrd[1]!.trim().split(/\s+/);
      continue;
    }
    // Other blocks (if/else/function) nest inside and around entries; only braces matter.
    const opens = (line.match(/\{/g) ?? []).length;
    const closes = (line.match(/\}/g) ?? []).length;
    for (let i = 0; i < opens; i++) stack.push({ kind: 'block', title: '', id: '', position: -1 });
    for (let i = 0; i < closes; i++) stack.pop();
  }
  return out;
}

/** The `grub-reboot` argument for a kernel: its normal (not recovery) entry, as an id path. */
export function entryFor(menu: MenuEntry[], release: string): MenuEntry | undefined {
  const candidates = menu.filter((e) => e.release === release && !e.recovery);
  // The "Advanced options" entry names the kernel exactly; the simple top entry only follows the newest.
  return candidates.find((e) => e.ids.length > 1) ?? candidates[0];
}

export function grubRebootArgument(entry: MenuEntry): string {
  return entry.ids.join('>');
}

/**
 * The kernel the host boots when nothing is asked for: GRUB's `set default=` (a path of numbers,
 * ids or titles such as "0", "1>2" or "gnulinux-advanced-...>gnulinux-...", or ${saved_entry} from
 * grubenv), the first entry when it cannot be told.
 */
export function defaultEntry(menu: MenuEntry[], cfg: string, grubenv: Record<string, string> = {}): MenuEntry | undefined {
  const set = [...cfg.matchAll(/^\s*set default="([^"]*)"/gm)].map((m) => m[1]!).filter((v) => v !== '${next_entry}');
  let value = set.at(-1) ?? '0';
  if (value === '${saved_entry}') value = grubenv.saved_entry ?? '0';
  const parts = value.split('>');
  const names = (e: MenuEntry, i: number, p: string) => p === e.ids[i] || p === e.titles[i] || (/^\d+$/.test(p) && Number(p) === e.positions[i]);
  // GRUB boots a submenu named alone by its first entry.
  return menu.find((e) => parts.length === e.ids.length && parts.every((p, i) => names(e, i, p)))
    ?? menu.find((e) => names(e, 0, parts[0]!));
}

/** `grub-editenv list` output as key/value pairs. */
export function parseGrubenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}
