/**
 * A wall post's text as Markdown: the knowledge base's escape-first renderer (every character
 * escaped, then a few constructs turned back into markup), and the result through the desk's
 * DOMPurify allow-list as well. Headings come out as plain text there, which keeps the page's
 * heading order the view's own.
 */
import { useMemo } from 'react';
import { renderMarkdown } from '../../../src/knowledge/markdown.js';
import { SafeHtml } from '../components/safe-html.js';

export function WallText({ text }: { text: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  return <SafeHtml html={html} className="wall-text" />;
}
