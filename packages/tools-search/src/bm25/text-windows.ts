/**
 * The window of at most `length` characters of `text` that holds the most distinct query terms, cut at
 * word boundaries, with `…` where text was left out. With no term in the text it is the opening.
 */
export function snippet(text: string, terms: readonly string[], length: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= length) return flat;
  const lower = flat.toLowerCase();
  const hits: { at: number; term: string }[] = [];
  for (const term of terms) {
    for (let at = lower.indexOf(term); at !== -1; at = lower.indexOf(term, at + 1)) hits.push({ at, term });
  }
  let start = 0;
  let best = 0;
  for (const hit of hits) {
    const from = Math.max(0, hit.at - Math.floor(length / 4));
    const covered = new Set(hits.filter((h) => h.at >= from && h.at + h.term.length <= from + length).map((h) => h.term)).size;
    if (covered > best) {
      best = covered;
      start = from;
    }
  }
  start = Math.min(start, flat.length - length);
  let end = start + length;
  if (start > 0) {
    const space = flat.indexOf(' ', start);
    if (space !== -1 && space < start + length / 4) start = space + 1;
  }
  if (end < flat.length) {
    const space = flat.lastIndexOf(' ', end);
    if (space > start + length / 2) end = space;
  }
  return `${start > 0 ? '…' : ''}${flat.slice(start, end)}${end < flat.length ? '…' : ''}`;
}

/** Splits text into pages of at most `size` characters, breaking at the last whitespace of a page when it can. */
export function paginate(text: string, size: number): string[] {
  const pages: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    if (end < text.length) {
      const space = text.lastIndexOf(' ', end - 1);
      const newline = text.lastIndexOf('\n', end - 1);
      const cut = Math.max(space, newline);
      if (cut > start + size / 2) end = cut + 1;
    }
    pages.push(text.slice(start, end));
    start = end;
  }
  return pages.length > 0 ? pages : [''];
}
