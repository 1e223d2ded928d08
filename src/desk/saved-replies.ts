/**
 * Saved replies: text an agent inserts into the composer, with placeholders filled from the
 * ticket at hand — `{name}` (the customer's first name or handle), `{ticket}` (`#12`) and
 * `{incident_status}` (how the incident behind the ticket's post stands). An unknown placeholder
 * is refused when saving, so a typo never reaches a customer as `{nmae}`.
 */
import { invalid } from '../domain/errors.js';

export const PLACEHOLDERS = ['name', 'ticket', 'incident_status'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type PlaceholderValues = Readonly<Record<Placeholder, string>>;

const PLACEHOLDER = /\{([a-z_]+)\}/g;

/** Refuses a body naming a placeholder that does not exist; returns it trimmed. */
export function checkSavedReplyBody(body: string): string {
  const text = body.trim();
  if (text === '') throw invalid('A saved reply needs some text');
  const unknown = [...text.matchAll(PLACEHOLDER)]
    .map((match) => match[1]!)
    .filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw invalid(
      `Unknown placeholder ${unknown.map((name) => `{${name}}`).join(', ')}; use ${PLACEHOLDERS.map((name) => `{${name}}`).join(', ')}`,
    );
  return text;
}

/** The body with every placeholder replaced by its value. */
export function fillPlaceholders(body: string, values: PlaceholderValues): string {
  return body.replace(PLACEHOLDER, (whole, name: string) =>
    Object.hasOwn(values, name) ? values[name as Placeholder] : whole,
  );
}

/** How a customer reads an incident's status. */
export function incidentStatusText(status: 'open' | 'resolved' | null): string {
  if (status === 'open') return 'we are still working on it';
  if (status === 'resolved') return 'it is fixed';
  return 'we are looking into it';
}

/** A first name when the display name starts with one, else the handle without its `@`s and server. */
export function customerName(author: { name: string | null; handle: string }): string {
  const first = author.name?.trim().split(/\s+/)[0];
  if (first && /^\p{L}[\p{L}'’-]*$/u.test(first)) return first;
  return author.handle.replace(/^@/, '').split('@')[0]!;
}
