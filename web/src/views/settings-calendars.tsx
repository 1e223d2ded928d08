/**
 * Settings → Business hours: named calendars of weekly opening hours in a time zone, with
 * holidays, that SLA targets count in. One form makes or edits a calendar: a row per weekday
 * (open or closed, from–to) and the holidays one date per line; the server checks the zone and
 * the hours and says what is wrong under the form. A calendar in use cannot be deleted.
 */
import { type FormEvent, useState } from 'react';
import { WEEKDAYS, type Weekday } from '../api-types.js';
import { useResource } from '../data/resource.js';
import { type Calendar, type CalendarInput, settingsApi } from '../data/settings-api.js';
import { FormError } from '../components/form-error.js';
import { SettingsHead, useAction } from './settings.js';

const DAY_NAMES: Readonly<Record<Weekday, string>> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};
// Monday first, as a week reads on a desk.
const WEEK: readonly Weekday[] = [...WEEKDAYS.slice(1), WEEKDAYS[0]];
const BLANK: CalendarInput = {
  name: '',
  timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  weekly: WEEK.slice(0, 5).map((day) => ({ day, from: '09:00', to: '17:00' })),
  holidays: [],
};

export function CalendarSettings() {
  const calendars = useResource('calendars', (signal) => settingsApi.calendars(signal));
  const [editing, setEditing] = useState<Calendar | 'new' | null>(null);
  const action = useAction();

  async function remove(calendar: Calendar) {
    if (!window.confirm(`Delete the calendar “${calendar.name}”?`)) return;
    if (await action.run(() => settingsApi.deleteCalendar(calendar.id))) await calendars.reload();
  }

  return (
    <section className="settings-section">
      <SettingsHead title="Business hours">
        Opening hours and holidays an SLA can count in: its clock pauses when the desk is closed.
      </SettingsHead>
      <FormError message={action.problem} />
      {calendars.data === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <ul className="settings-cards">
          {calendars.data.map((calendar) => (
            <li key={calendar.id} className="card">
              <h2 className="card-title">{calendar.name}</h2>
              <p className="small">
                {calendar.timeZone} · {summary(calendar)}
              </p>
              <p className="small muted">
                {calendar.holidays.length === 0 ? 'No holidays' : `Holidays: ${calendar.holidays.join(', ')}`}
              </p>
              <div className="settings-actions">
                <button type="button" className="btn btn-small" onClick={() => setEditing(calendar)}>
                  Edit<span className="sr-only"> {calendar.name}</span>
                </button>
                <button type="button" className="btn btn-danger-ghost btn-small" onClick={() => void remove(calendar)}>
                  Delete<span className="sr-only"> {calendar.name}</span>
                </button>
              </div>
            </li>
          ))}
          {calendars.data.length === 0 ? <li className="muted">No calendars yet: SLAs run round the clock.</li> : null}
        </ul>
      )}
      {editing ? (
        <CalendarForm
          key={editing === 'new' ? 'new' : editing.id}
          calendar={editing === 'new' ? null : editing}
          onDone={() => {
            setEditing(null);
            void calendars.reload();
          }}
        />
      ) : (
        <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
          New calendar
        </button>
      )}
    </section>
  );
}

function CalendarForm({ calendar, onDone }: { calendar: Calendar | null; onDone: () => void }) {
  const start = calendar ?? BLANK;
  const [name, setName] = useState(start.name);
  const [timeZone, setTimeZone] = useState(start.timeZone);
  const [hours, setHours] = useState(() =>
    Object.fromEntries(
      WEEK.map((day) => {
        const spell = start.weekly.find((candidate) => candidate.day === day);
        return [day, { open: Boolean(spell), from: spell?.from ?? '09:00', to: spell?.to ?? '17:00' }];
      }),
    ),
  );
  const [holidays, setHolidays] = useState(start.holidays.join('\n'));
  const action = useAction();
  const title = calendar ? `Edit “${calendar.name}”` : 'New calendar';

  async function save(event: FormEvent) {
    event.preventDefault();
    const input: CalendarInput = {
      name: name.trim(),
      timeZone: timeZone.trim(),
      weekly: WEEK.flatMap((day) => {
        const spell = hours[day]!;
        return spell.open ? [{ day, from: spell.from, to: spell.to }] : [];
      }),
      holidays: holidays
        .split(/[\s,]+/)
        .map((line) => line.trim())
        .filter(Boolean),
    };
    const done = await action.run(() =>
      calendar ? settingsApi.updateCalendar(calendar.id, input) : settingsApi.createCalendar(input),
    );
    if (done) onDone();
  }

  return (
    <form className="card calendar-form" aria-label={title} onSubmit={(event) => void save(event)}>
      <h2 className="card-title">{title}</h2>
      <div className="settings-row">
        <label className="field">
          <span>Name</span>
          <input required maxLength={80} value={name} onChange={(event) => setName(event.target.value)} />
        </label>
        <label className="field">
          <span>Time zone</span>
          <input
            required
            maxLength={64}
            value={timeZone}
            onChange={(event) => setTimeZone(event.target.value)}
            placeholder="Europe/Amsterdam"
          />
        </label>
      </div>
      <fieldset className="week">
        <legend>Opening hours</legend>
        {WEEK.map((day) => {
          const spell = hours[day]!;
          const set = (change: Partial<typeof spell>) => setHours({ ...hours, [day]: { ...spell, ...change } });
          return (
            <div key={day} className="week-day">
              <label className="field-inline">
                <input type="checkbox" checked={spell.open} onChange={(event) => set({ open: event.target.checked })} />
                <span>{DAY_NAMES[day]}</span>
              </label>
              <input
                type="time"
                aria-label={`${DAY_NAMES[day]} opens`}
                value={spell.from}
                disabled={!spell.open}
                onChange={(event) => set({ from: event.target.value })}
              />
              <span aria-hidden="true">–</span>
              <input
                type="text"
                className="time-to"
                pattern="([01][0-9]|2[0-3]):[0-5][0-9]|24:00"
                aria-label={`${DAY_NAMES[day]} closes`}
                value={spell.to}
                disabled={!spell.open}
                onChange={(event) => set({ to: event.target.value })}
              />
            </div>
          );
        })}
      </fieldset>
      <label className="field">
        <span>Holidays (one YYYY-MM-DD date per line)</span>
        <textarea rows={4} className="mono" value={holidays} onChange={(event) => setHolidays(event.target.value)} />
      </label>
      <FormError message={action.problem} />
      <div className="settings-actions">
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          {calendar ? 'Save calendar' : 'Create calendar'}
        </button>
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** "Mon–Fri 09:00–17:00" when the open days share hours, else each day. */
function summary(calendar: Calendar): string {
  if (calendar.weekly.length === 0) return 'never open';
  const same = calendar.weekly.every(
    (spell) => spell.from === calendar.weekly[0]!.from && spell.to === calendar.weekly[0]!.to,
  );
  const days = WEEK.filter((day) => calendar.weekly.some((spell) => spell.day === day)).map((day) =>
    DAY_NAMES[day].slice(0, 3),
  );
  if (same) return `${days.join(', ')} ${calendar.weekly[0]!.from}–${calendar.weekly[0]!.to}`;
  return calendar.weekly.map((spell) => `${DAY_NAMES[spell.day].slice(0, 3)} ${spell.from}–${spell.to}`).join(', ');
}
