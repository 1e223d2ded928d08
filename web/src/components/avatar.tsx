/** A coloured circle with initials: no remote images, so nothing is fetched from a post's author. */
import { hue, initials } from '../format.js';

/** Earshot's mark: an ear, drawn inline so it needs no request. */
export function BrandMark() {
  return (
    <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="#4338ca" />
      <path
        d="M11 21a7 7 0 1 1 10-6c0 3-3 3.5-3 6a3 3 0 0 1-5 2"
        fill="none"
        stroke="#fff"
        strokeWidth="2.6"
        strokeLinecap="round"
      />
    </svg>
  );
}

export function Avatar({ name, size = 32 }: { name: string; size?: number }) {
  const h = hue(name);
  return (
    <span
      className="avatar"
      aria-hidden="true"
      style={{
        width: size,
        height: size,
        fontSize: size * 0.4,
        background: `hsl(${h} 55% 92%)`,
        color: `hsl(${h} 55% 32%)`,
      }}
    >
      {initials(name)}
    </span>
  );
}
