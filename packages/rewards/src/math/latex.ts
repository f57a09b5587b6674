/** Rewrites common LaTeX answer notation into a plain expression mathjs can parse. */
export function latexToExpression(raw: string): string {
  let s = raw.normalize('NFKC').trim();
  s = s.replace(/^\$+|\$+$/g, '').replace(/^\\\(|\\\)$/g, '').replace(/^\\\[|\\\]$/g, '');
  s = s.replace(/\\text\{([^{}]*)\}/g, '$1').replace(/\\mathrm\{([^{}]*)\}/g, '$1');
  s = s.replace(/\\(?:left|right|displaystyle|!|,|;|:|quad|qquad)/g, '');
  s = s.replace(/\^\s*\{?\\circ\}?|°/g, '').replace(/\\%|%/g, '');
  s = s.replace(/\\[dt]frac/g, '\\frac');
  for (let i = 0; i < 8 && /\\frac/.test(s); i++) {
    s = s.replace(/\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, '(($1)/($2))');
    s = s.replace(/\\frac\s*(\d)\s*(\d)/g, '(($1)/($2))');
  }
  s = s.replace(/\\sqrt\s*\{([^{}]*)\}/g, 'sqrt($1)').replace(/\\sqrt\s*(\d+)/g, 'sqrt($1)');
  s = s.replace(/\\(?:cdot|times)/g, '*').replace(/\\div/g, '/').replace(/\\pi/g, 'pi');
  s = s.replace(/[−–]/g, '-').replace(/×/g, '*').replace(/÷/g, '/');
  s = s.replace(/\{/g, '(').replace(/\}/g, ')');
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s.replace(/\s/g, ''))) s = s.replace(/[,\s]/g, '');
  const eq = /^[a-zA-Z]\s*=\s*(.+)$/.exec(s);
  if (eq) s = eq[1];
  return s.replace(/\s+/g, ' ').trim();
}

/** Splits a tuple or list answer `(1, 2)` / `1, 2` at top-level commas; one part when there is none. */
export function splitTopLevel(s: string): string[] {
  const inner = /^[([](.*)[)\]]$/.exec(s)?.[1] ?? s;
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (parts.length === 0) return [s];
  parts.push(inner.slice(start).trim());
  return parts;
}
