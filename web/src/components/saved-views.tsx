/**
 * The inbox's saved views: one button per view (the person's own, then the team's shared ones);
 * pressing one applies its tab, order, filters and search. "Save view" names the current queue,
 * for oneself or the whole team; the applied view can be updated with the current filters,
 * renamed or deleted by whoever may (the server decides: `canChange`). A view whose filters no
 * longer match the queue on screen says so ("changed").
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api } from '../api.js';
import type { SavedViewFiltersWire, SavedViewScope, SavedViewWire } from '../api-types.js';
import { useSavedViews } from '../data/resources.js';
import { FormError } from './form-error.js';

/** Equal filters whatever order their fields came in, an empty field the same as an absent one. */
export function sameFilters(a: SavedViewFiltersWire, b: SavedViewFiltersWire): boolean {
  const plain = (filters: SavedViewFiltersWire) =>
    JSON.stringify(
      Object.entries(filters)
        .filter(([, value]) => value !== undefined && value !== '')
        .sort(([x], [y]) => x.localeCompare(y)),
    );
  return plain(a) === plain(b);
}

type Editing = { mode: 'save' } | { mode: 'rename'; view: SavedViewWire };

export function SavedViewsBar({
  current,
  selectedId,
  ownerId,
  onApply,
  onForget,
}: {
  /** The queue on screen, as a view's filters. */
  current: SavedViewFiltersWire;
  selectedId: number | null;
  /** The person at the desk: only a view's owner moves it between personal and shared. */
  ownerId: number;
  onApply: (view: SavedViewWire) => void;
  /** The applied view is gone (deleted, or no longer seen). */
  onForget: () => void;
}) {
  const views = useSavedViews();
  const [editing, setEditing] = useState<Editing | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const list = views.data ?? [];
  const selected = list.find((view) => view.id === selectedId) ?? null;
  const changed = selected !== null && !sameFilters(selected.filters, current);
  const { reload, mutate } = views;

  useEffect(() => {
    if (views.data && selectedId !== null && !selected) onForget();
  }, [views.data, selectedId, selected, onForget]);

  async function act(action: () => Promise<unknown>) {
    setProblem(null);
    try {
      await action();
    } catch (caught) {
      setProblem(caught instanceof Error ? caught.message : String(caught));
    }
  }

  const update = (view: SavedViewWire) =>
    act(async () => {
      const saved = await api.updateSavedView(view.id, { filters: current });
      mutate((known) => known?.map((candidate) => (candidate.id === saved.id ? saved : candidate)) ?? null);
    });
  const remove = (view: SavedViewWire) =>
    act(async () => {
      if (
        !window.confirm(`Delete the saved view “${view.name}”${view.scope === 'shared' ? ' for the whole team' : ''}?`)
      )
        return;
      await api.deleteSavedView(view.id);
      mutate((known) => known?.filter((candidate) => candidate.id !== view.id) ?? null);
      onForget();
    });

  return (
    <nav className="saved-views" aria-label="Saved views">
      {list.length > 0 ? (
        <ul className="saved-view-list">
          {list.map((view) => (
            <li key={view.id}>
              <button
                type="button"
                className="saved-view"
                aria-pressed={view.id === selectedId}
                title={view.scope === 'shared' ? 'Shared with the team' : 'Only you see this view'}
                onClick={() => onApply(view)}
              >
                {view.scope === 'shared' ? (
                  <span className="saved-view-scope" aria-hidden="true">
                    ⁂
                  </span>
                ) : null}
                {view.name}
                <span className="sr-only">{view.scope === 'shared' ? ' (shared)' : ' (personal)'}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <span className="muted small">{views.data ? 'No saved views yet' : 'Loading views…'}</span>
      )}
      <div className="saved-view-actions">
        {selected && changed ? (
          <span className="saved-view-changed small" role="status">
            “{selected.name}” changed
          </span>
        ) : null}
        {selected?.canChange && changed ? (
          <button type="button" className="btn btn-small" onClick={() => void update(selected)}>
            Update view
          </button>
        ) : null}
        <button type="button" className="btn btn-small" onClick={() => setEditing({ mode: 'save' })}>
          Save view
        </button>
        {selected?.canChange ? (
          <>
            <button
              type="button"
              className="btn btn-ghost btn-small"
              onClick={() => setEditing({ mode: 'rename', view: selected })}
            >
              Rename view
            </button>
            <button type="button" className="btn btn-danger-ghost btn-small" onClick={() => void remove(selected)}>
              Delete view
            </button>
          </>
        ) : null}
      </div>
      <FormError message={problem} />
      {editing ? (
        <ViewDialog
          editing={editing}
          owner={editing.mode === 'save' || editing.view.ownerId === ownerId}
          onClose={() => setEditing(null)}
          onSubmit={async (name, scope) => {
            const saved =
              editing.mode === 'save'
                ? await api.createSavedView({ name, scope, filters: current })
                : await api.updateSavedView(editing.view.id, {
                    name,
                    ...(editing.view.ownerId === ownerId ? { scope } : {}),
                  });
            setEditing(null);
            await reload();
            onApply(saved);
          }}
        />
      ) : null}
    </nav>
  );
}

function ViewDialog({
  editing,
  owner,
  onClose,
  onSubmit,
}: {
  editing: Editing;
  owner: boolean;
  onClose: () => void;
  onSubmit: (name: string, scope: SavedViewScope) => Promise<void>;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState(editing.mode === 'rename' ? editing.view.name : '');
  const [scope, setScope] = useState<SavedViewScope>(editing.mode === 'rename' ? editing.view.scope : 'personal');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (dialog.current && !dialog.current.open) dialog.current.showModal();
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await onSubmit(name.trim(), scope);
    } catch (caught) {
      setProblem(caught instanceof Error ? caught.message : String(caught));
      setBusy(false);
    }
  }

  const title = editing.mode === 'save' ? 'Save this view' : `Rename “${editing.view.name}”`;
  return (
    <dialog
      ref={dialog}
      className="modal modal-small"
      aria-labelledby="saved-view-title"
      onClose={onClose}
      onCancel={onClose}
    >
      <form className="modal-body" onSubmit={(event) => void submit(event)}>
        <header className="modal-head">
          <h2 id="saved-view-title">{title}</h2>
          <button type="button" className="btn btn-ghost btn-icon" aria-label="Close" onClick={onClose}>
            ✕
          </button>
        </header>
        <div>
          {editing.mode === 'save' ? (
            <p className="muted small">The tab, order, filters and search on screen now.</p>
          ) : null}
          <label className="field">
            <span>Name</span>
            <input
              name="view-name"
              required
              maxLength={80}
              value={name}
              aria-invalid={problem ? true : undefined}
              onChange={(event) => setName(event.target.value)}
              placeholder="e.g. Angry customers, newest first"
            />
          </label>
          {owner ? (
            <fieldset className="saved-view-scopes">
              <legend>Who sees it</legend>
              <label className="field-inline">
                <input
                  type="radio"
                  name="view-scope"
                  checked={scope === 'personal'}
                  onChange={() => setScope('personal')}
                />
                <span>Only me</span>
              </label>
              <label className="field-inline">
                <input
                  type="radio"
                  name="view-scope"
                  checked={scope === 'shared'}
                  onChange={() => setScope('shared')}
                />
                <span>The whole team</span>
              </label>
            </fieldset>
          ) : null}
          <FormError message={problem} />
        </div>
        <footer className="modal-foot">
          <span className="spacer" />
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || name.trim() === ''}>
            {editing.mode === 'save' ? 'Save view' : 'Rename'}
          </button>
        </footer>
      </form>
    </dialog>
  );
}
