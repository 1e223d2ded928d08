/**
 * HTML from a channel (a Mastodon status's content, a feed item's description) as plain text.
 * Markup is never kept or executed: tags are dropped, script/style/template bodies are dropped
 * whole, block elements and <br> become line breaks, and character references are decoded once
 * (so `&lt;b&gt;` stays the literal text `<b>`, never markup). No installed, declared library
 * does this, so this is a small tokenizer rather than a regex over the whole document.
 */

const BLOCK = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'dd',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'tr',
  'ul',
]);
// Their content is code or invisible, never text a person wrote.
const DROPPED = new Set([
  'script',
  'style',
  'template',
  'noscript',
  'iframe',
  'object',
  'svg',
  'math',
  'head',
  'title',
]);

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  copy: '©',
  reg: '®',
  trade: '™',
  deg: '°',
  middot: '·',
  bull: '•',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  times: '×',
  divide: '÷',
  shy: '\u00ad',
  zwj: '\u200d',
  zwnj: '\u200c',
  eacute: 'é',
  egrave: 'è',
  agrave: 'à',
  aacute: 'á',
  ccedil: 'ç',
  uuml: 'ü',
  ouml: 'ö',
  auml: 'ä',
  szlig: 'ß',
  ntilde: 'ñ',
};

/** Decodes character references (`&amp;`, `&#39;`, `&#x1F600;`); unknown names are left as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z][a-zA-Z0-9]{1,31});?/g, (match, body: string) => {
    if (body.startsWith('#')) {
      const code =
        body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      // NUL, surrogates and out-of-range code points become U+FFFD, as HTML parsers do.
      if (!Number.isFinite(code) || code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
        return '\ufffd';
      return String.fromCodePoint(code);
    }
    return NAMED[body] ?? NAMED[body.toLowerCase()] ?? match;
  });
}

/** Plain text of an HTML fragment: paragraphs separated by a blank line, whitespace collapsed. */
export function htmlToText(html: string): string {
  const out: string[] = [];
  let dropping: string | null = null;
  let preDepth = 0;
  // Tags, comments, doctypes and CDATA; text is whatever lies between. Every alternative ends at
  // its closer or at the end of the input (an unclosed tag or quote runs to the end, as in a
  // browser), so no match is tried and abandoned: the scan is linear, never quadratic.
  const token =
    /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[([\s\S]*?)(?:\]\]>|$)|<![^>]*>?|<\?[^>]*>?|<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:[^>"']|"[^"]*(?:"|$)|'[^']*(?:'|$))*)(?:>|$)/g;
  let last = 0;
  for (let match = token.exec(html); match; match = token.exec(html)) {
    if (!dropping) pushText(out, html.slice(last, match.index), preDepth > 0);
    last = token.lastIndex;
    if (match[1] !== undefined && !dropping) pushText(out, match[1], preDepth > 0, false);
    const name = match[3]?.toLowerCase();
    if (!name) continue;
    const closing = match[2] === '/';
    if (dropping) {
      if (closing && name === dropping) dropping = null;
      continue;
    }
    if (DROPPED.has(name)) {
      if (!closing && !/\/\s*$/.test(match[4] ?? '')) dropping = name;
      continue;
    }
    if (name === 'pre') preDepth = Math.max(0, preDepth + (closing ? -1 : 1));
    if (name === 'br') out.push('\n');
    else if (name === 'p' || /^h[1-6]$/.test(name) || name === 'blockquote' || name === 'pre') out.push('\n\n');
    else if (BLOCK.has(name)) out.push('\n');
    else if ((name === 'td' || name === 'th') && closing) out.push('\t');
  }
  if (!dropping) pushText(out, html.slice(last), preDepth > 0);
  return tidy(out.join(''));
}

function pushText(out: string[], raw: string, preformatted: boolean, decode = true): void {
  if (!raw) return;
  // A stray "<" that starts no tag is text, kept literally.
  const text = decode ? decodeEntities(raw) : raw;
  out.push(preformatted ? text : text.replace(/[\t\n\r\f ]+/g, ' '));
}

function tidy(text: string): string {
  // Lines are trimmed by hand: `/[ \t]*\n[ \t]*/` backtracks over every long run of spaces that has
  // no line break after it, which made a page of `<a<-->` lines quadratic.
  return text
    .replace(/\u00a0/g, ' ')
    .split('\n')
    .map(trimSpacesAndTabs)
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/ {2,}/g, ' ')
    .trim();
}

function trimSpacesAndTabs(line: string): string {
  const blank = (code: number) => code === 0x20 || code === 0x09;
  let start = 0;
  let end = line.length;
  while (start < end && blank(line.charCodeAt(start))) start++;
  while (end > start && blank(line.charCodeAt(end - 1))) end--;
  return start === 0 && end === line.length ? line : line.slice(start, end);
}
