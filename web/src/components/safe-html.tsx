/**
 * Renders untrusted post HTML (some channels deliver posts as HTML) through DOMPurify with a
 * small allow-list: text formatting and links only, no images, no styles, no event handlers.
 * Everything else a post holds is rendered as text by React, never as HTML.
 */
import DOMPurify from 'dompurify';
import { useMemo } from 'react';

const ALLOWED_TAGS = [
  'a',
  'p',
  'br',
  'span',
  'strong',
  'em',
  'b',
  'i',
  'u',
  'ul',
  'ol',
  'li',
  'blockquote',
  'code',
  'pre',
];
const ALLOWED_ATTR = ['href', 'title'];

let hooked = false;
function sanitizer() {
  if (!hooked) {
    // Links leave the desk in a new tab, without handing it a reference back.
    DOMPurify.addHook('afterSanitizeAttributes', function externalLinks(node) {
      if (node.tagName === 'A') {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer nofollow ugc');
      }
    });
    hooked = true;
  }
  return DOMPurify;
}

export function sanitizeHtml(html: string): string {
  return sanitizer().sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOWED_URI_REGEXP: /^https?:/i,
    ADD_ATTR: ['target'],
  });
}

export function SafeHtml({ html, className }: { html: string; className?: string }) {
  const clean = useMemo(() => sanitizeHtml(html), [html]);
  // biome-ignore lint/security/noDangerouslySetInnerHtml: the HTML was sanitised by DOMPurify just above; this is the one place the desk renders HTML
  return <div className={className} dangerouslySetInnerHTML={{ __html: clean }} />;
}
