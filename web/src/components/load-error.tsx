/** What a detail view shows when its record cannot be loaded: the reason and the way back. */
import { linkHandler } from '../router.js';

export function LoadError({ message, backTo, backLabel }: { message: string; backTo: string; backLabel: string }) {
  return (
    <div className="empty-state">
      <p className="form-error" role="alert">
        {message}
      </p>
      <a href={backTo} onClick={linkHandler(backTo)}>
        {backLabel}
      </a>
    </div>
  );
}
