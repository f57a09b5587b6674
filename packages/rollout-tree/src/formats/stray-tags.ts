/** A tag pair the format does not accept as written, with the feedback the model will see. */
export interface StrayTag {
  raw: string;
  message: string;
}

const PAIR = /<\s*([A-Za-z][\w-]*)(\s[^<>]*)?>[\s\S]*?<\/\s*\1\s*>/g;

/**
 * Finds tag pairs (`<x ...>…</x>`) in `text` that look like calls the format would not run: a known tag
 * written with other case or with spaces or attributes (`<SEARCH>`, `<search >`), or, when
 * `unknownIsError`, any tag pair whose name is not known (`<calculator>`). Names in `allowed` (the
 * format's own tags written exactly, and tags like `think`) are left alone.
 */
export function findStrayTags(text: string, known: readonly string[], allowed: readonly string[], unknownIsError: boolean): StrayTag[] {
  const out: StrayTag[] = [];
  const exact = new Set([...known, ...allowed]);
  const byFolded = new Map(known.map((k) => [fold(k), k]));
  for (const m of text.matchAll(PAIR)) {
    const [raw, name, attrs] = m;
    const exactOpen = raw.startsWith(`<${name}>`) && attrs === undefined;
    const exactClose = raw.endsWith(`</${name}>`);
    if (exact.has(name) && exactOpen && exactClose) continue;
    const near = byFolded.get(fold(name));
    if (near !== undefined) {
      out.push({ raw, message: `malformed tag ${openOf(raw)}: write <${near}>…</${near}> exactly (lower case, no spaces or attributes)` });
    } else if (unknownIsError && !exact.has(name)) {
      out.push({ raw, message: `unknown tag <${name}>: the tags are ${known.map((k) => `<${k}>`).join(', ')}` });
    }
  }
  return out;
}

function fold(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

function openOf(raw: string): string {
  return raw.slice(0, raw.indexOf('>') + 1);
}
