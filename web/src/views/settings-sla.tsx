/**
 * Settings → SLA targets: for each stream, the minutes until a first response is due per
 * priority, and the business-hours calendar they count in (none: round the clock). Saved per
 * stream; the server's refusal shows in that stream's row.
 */
import { type FormEvent, useState } from 'react';
import { DEFAULT_SLA, TICKET_PRIORITIES, type Stream } from '../api-types.js';
import { useResource } from '../data/resource.js';
import { useStreams } from '../data/resources.js';
import { type Calendar, type Sla, settingsApi } from '../data/settings-api.js';
import { FormError } from '../components/form-error.js';
import { SettingsHead, useAction } from './settings.js';

export function SlaSettings() {
  const streams = useStreams();
  const calendars = useResource('calendars', (signal) => settingsApi.calendars(signal));
  return (
    <section className="settings-section">
      <SettingsHead title="SLA targets">
        Minutes until a first response is due, per stream and priority. With a business-hours calendar the clock pauses
        outside opening hours and on holidays.
      </SettingsHead>
      {streams.data === null || calendars.data === null ? (
        <p className="muted">Loading…</p>
      ) : streams.data.length === 0 ? (
        <p className="muted">No streams yet: make one on the Streams board first.</p>
      ) : (
        <div className="sla-list">
          {streams.data.map((stream) => (
            <SlaRow
              key={stream.id}
              stream={stream}
              calendars={calendars.data ?? []}
              onSaved={() => void streams.reload()}
            />
          ))}
        </div>
      )}
    </section>
  );
}

function SlaRow({ stream, calendars, onSaved }: { stream: Stream; calendars: Calendar[]; onSaved: () => void }) {
  const [minutes, setMinutes] = useState<Record<string, string>>(() =>
    Object.fromEntries(TICKET_PRIORITIES.map((p) => [p, String(stream.sla.firstResponseMinutes[p])])),
  );
  const [calendarId, setCalendarId] = useState<number | null>(stream.sla.calendarId ?? null);
  const [saved, setSaved] = useState(false);
  const action = useAction();

  async function reset() {
    setSaved(false);
    const sla: Sla = { firstResponseMinutes: { ...DEFAULT_SLA.firstResponseMinutes }, calendarId: null };
    if (await action.run(() => settingsApi.setStream(stream.id, { sla }))) {
      setMinutes(Object.fromEntries(TICKET_PRIORITIES.map((p) => [p, String(sla.firstResponseMinutes[p])])));
      setCalendarId(null);
      setSaved(true);
      onSaved();
    }
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    const sla: Sla = {
      firstResponseMinutes: {
        urgent: Number(minutes.urgent),
        high: Number(minutes.high),
        normal: Number(minutes.normal),
        low: Number(minutes.low),
      },
      calendarId,
    };
    if (await action.run(() => settingsApi.setStream(stream.id, { sla }))) {
      setSaved(true);
      onSaved();
    }
  }

  const titleId = `sla-${stream.id}`;
  return (
    <form className="card sla-row" aria-labelledby={titleId} onSubmit={(event) => void save(event)}>
      <h2 className="card-title" id={titleId}>
        {stream.name}
      </h2>
      <div className="sla-fields">
        {TICKET_PRIORITIES.map((priority) => (
          <label key={priority} className="field">
            <span>{priority} (min)</span>
            <input
              type="number"
              inputMode="numeric"
              required
              min={1}
              max={525600}
              value={minutes[priority] ?? ''}
              onChange={(event) => setMinutes({ ...minutes, [priority]: event.target.value })}
            />
          </label>
        ))}
        <label className="field">
          <span>Counts in</span>
          <select
            value={calendarId === null ? '' : String(calendarId)}
            onChange={(event) => setCalendarId(event.target.value === '' ? null : Number(event.target.value))}
          >
            <option value="">Round the clock</option>
            {calendars.map((calendar) => (
              <option key={calendar.id} value={calendar.id}>
                {calendar.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <FormError message={action.problem} />
      <div className="settings-actions">
        <button type="submit" className="btn btn-primary btn-small" disabled={action.busy}>
          Save SLA<span className="sr-only"> of {stream.name}</span>
        </button>
        <button type="button" className="btn btn-ghost btn-small" disabled={action.busy} onClick={() => void reset()}>
          Reset to defaults<span className="sr-only"> for {stream.name}</span>
        </button>
        {saved ? (
          <span className="muted small" role="status">
            Saved
          </span>
        ) : null}
      </div>
    </form>
  );
}
