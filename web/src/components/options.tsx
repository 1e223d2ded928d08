/** The `<option>`s of a select, one per item: its value and label, the item itself by default. */
import type { ReactNode } from 'react';
import type { User } from '../api-types.js';

export function Options<T>({
  items,
  value = String,
  label = String,
}: {
  items: readonly T[];
  value?: (item: T) => string | number;
  label?: (item: T) => ReactNode;
}) {
  return items.map((item) => {
    const key = value(item);
    return (
      <option key={key} value={key}>
        {label(item)}
      </option>
    );
  });
}

/** A person as an option: their id, shown by name. */
export const userId = (user: User) => user.id;
export const userName = (user: User) => user.displayName;
