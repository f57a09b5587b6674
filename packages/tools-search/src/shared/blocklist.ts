/**
 * A URL blocklist: each pattern matches anywhere in the URL, case-insensitively, and `*` matches any run of
 * characters (`huggingface.co/datasets`, `*.example.org/private/*`). Used to drop results that leak answers,
 * such as dataset pages (MATPO blocks huggingface.co/datasets).
 */
export function compileBlocklist(patterns: readonly string[]): (url: string) => boolean {
  if (patterns.length === 0) return () => false;
  const regexes = patterns.map(
    (pattern) => new RegExp(pattern.split('*').map(escapeRegExp).join('.*'), 'i'),
  );
  return (url) => url !== '' && regexes.some((regex) => regex.test(url));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
