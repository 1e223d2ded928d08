/**
 * Settings → Escalation: on-call schedules (who takes turns, from when, how long a shift is),
 * escalation policies (steps that page a schedule or a person, each waiting so many minutes for
 * an acknowledgement) and contacts (how each person is reached). Each list edits in one form;
 * a schedule a policy still pages cannot be deleted, and the server says which policy.
 */
import { type FormEvent, useState } from 'react';
import type { User } from '../api-types.js';
import { useResource } from '../data/resource.js';
import { useUsers } from '../data/resources.js';
import { type Contact, type Policy, type Schedule, settingsApi } from '../data/settings-api.js';
import { FormError } from '../components/form-error.js';
import { SettingsHead, useAction } from './settings.js';

const SLUG = '[a-z0-9][a-z0-9\\-]{0,39}';

export function EscalationSettings() {
  const users = useUsers();
  const schedules = useResource('schedules', (signal) => settingsApi.schedules(signal));
  const policies = useResource('policies', (signal) => settingsApi.policies(signal));
  const contacts = useResource('contacts', (signal) => settingsApi.contacts(signal));
  const people = users.data ?? [];
  return (
    <section className="settings-section">
      <SettingsHead title="Escalation">
        Who is paged when a major incident opens, in what order, and how each person is reached.
      </SettingsHead>
      <Schedules people={people} list={schedules.data} reload={() => void schedules.reload()} />
      <Policies
        people={people}
        schedules={schedules.data ?? []}
        list={policies.data}
        reload={() => void policies.reload()}
      />
      <Contacts people={people} list={contacts.data} reload={() => void contacts.reload()} />
    </section>
  );
}

function Schedules({ people, list, reload }: { people: User[]; list: Schedule[] | null; reload: () => void }) {
  const [editing, setEditing] = useState<Schedule | 'new' | null>(null);
  const action = useAction();
  const nameOf = (id: number) => people.find((user) => user.id === id)?.displayName ?? `user ${id}`;
  async function remove(schedule: Schedule) {
    if (!window.confirm(`Delete the on-call schedule “${schedule.name}”?`)) return;
    if (await action.run(() => settingsApi.deleteSchedule(schedule.id))) reload();
  }
  return (
    <section className="card" aria-labelledby="schedules-title">
      <h2 className="card-title" id="schedules-title">
        On-call schedules
      </h2>
      <FormError message={action.problem} />
      <ItemList
        items={list}
        empty="No schedules yet."
        describe={(s) => `${s.name} (${s.id}): ${s.userIds.map(nameOf).join(' → ')}, ${s.shiftHours} h shifts`}
        name={(s) => s.name}
        onEdit={setEditing}
        onDelete={(s) => void remove(s)}
      />
      {editing ? (
        <ScheduleForm
          key={editing === 'new' ? 'new' : editing.id}
          people={people}
          schedule={editing === 'new' ? null : editing}
          onDone={() => {
            setEditing(null);
            reload();
          }}
        />
      ) : (
        <button type="button" className="btn btn-small" onClick={() => setEditing('new')}>
          New schedule
        </button>
      )}
    </section>
  );
}

function ScheduleForm({ people, schedule, onDone }: { people: User[]; schedule: Schedule | null; onDone: () => void }) {
  const [id, setId] = useState(schedule?.id ?? '');
  const [name, setName] = useState(schedule?.name ?? '');
  const [userIds, setUserIds] = useState<number[]>(schedule?.userIds ?? []);
  const [startsAt, setStartsAt] = useState((schedule?.startsAt ?? new Date().toISOString()).slice(0, 16));
  const [shiftHours, setShiftHours] = useState(String(schedule?.shiftHours ?? 24));
  const action = useAction();
  const title = schedule ? `Edit schedule “${schedule.name}”` : 'New schedule';
  async function save(event: FormEvent) {
    event.preventDefault();
    const done = await action.run(() =>
      settingsApi.saveSchedule({
        id: id.trim(),
        name: name.trim(),
        userIds,
        startsAt: new Date(`${startsAt}Z`).toISOString(),
        shiftHours: Number(shiftHours),
      }),
    );
    if (done) onDone();
  }
  return (
    <form className="settings-form" aria-label={title} onSubmit={(event) => void save(event)}>
      <div className="settings-row">
        <IdField value={id} onChange={setId} locked={schedule !== null} />
        <label className="field">
          <span>Name</span>
          <input required maxLength={80} value={name} onChange={(event) => setName(event.target.value)} />
        </label>
      </div>
      <fieldset className="field people-pick">
        <legend>Who takes turns (in order)</legend>
        {people.map((user) => (
          <label key={user.id} className="field-inline">
            <input
              type="checkbox"
              checked={userIds.includes(user.id)}
              onChange={(event) =>
                setUserIds(event.target.checked ? [...userIds, user.id] : userIds.filter((other) => other !== user.id))
              }
            />
            <span>{user.displayName}</span>
          </label>
        ))}
      </fieldset>
      <div className="settings-row">
        <label className="field">
          <span>First shift starts (UTC)</span>
          <input
            type="datetime-local"
            required
            value={startsAt}
            onChange={(event) => setStartsAt(event.target.value)}
          />
        </label>
        <label className="field">
          <span>Shift length (hours)</span>
          <input
            type="number"
            required
            min={1}
            max={336}
            value={shiftHours}
            onChange={(event) => setShiftHours(event.target.value)}
          />
        </label>
      </div>
      <FormError message={action.problem} />
      <FormButtons busy={action.busy} label={schedule ? 'Save schedule' : 'Create schedule'} onCancel={onDone} />
    </form>
  );
}

function Policies({
  people,
  schedules,
  list,
  reload,
}: {
  people: User[];
  schedules: Schedule[];
  list: Policy[] | null;
  reload: () => void;
}) {
  const [editing, setEditing] = useState<Policy | 'new' | null>(null);
  const action = useAction();
  const targetName = (target: Policy['steps'][number]['targets'][number]) =>
    'scheduleId' in target
      ? `on call in ${schedules.find((s) => s.id === target.scheduleId)?.name ?? target.scheduleId}`
      : (people.find((user) => user.id === target.userId)?.displayName ?? `user ${target.userId}`);
  async function remove(policy: Policy) {
    if (!window.confirm(`Delete the escalation policy “${policy.name}”?`)) return;
    if (await action.run(() => settingsApi.deletePolicy(policy.id))) reload();
  }
  return (
    <section className="card" aria-labelledby="policies-title">
      <h2 className="card-title" id="policies-title">
        Escalation policies
      </h2>
      <FormError message={action.problem} />
      <ItemList
        items={list}
        empty="No policies yet."
        describe={(p) =>
          `${p.name}${p.isDefault ? ' (default)' : ''}: ${p.steps
            .map((step) => `${step.targets.map(targetName).join(' + ')} for ${step.waitMinutes} min`)
            .join(', then ')}`
        }
        name={(p) => p.name}
        onEdit={setEditing}
        onDelete={(p) => void remove(p)}
      />
      {editing ? (
        <PolicyForm
          key={editing === 'new' ? 'new' : editing.id}
          people={people}
          schedules={schedules}
          policy={editing === 'new' ? null : editing}
          onDone={() => {
            setEditing(null);
            reload();
          }}
        />
      ) : (
        <button type="button" className="btn btn-small" onClick={() => setEditing('new')}>
          New policy
        </button>
      )}
    </section>
  );
}

/** A step's target as one select value: `s:<schedule>` or `u:<user id>`. */
const targetValue = (target: Policy['steps'][number]['targets'][number]) =>
  'scheduleId' in target ? `s:${target.scheduleId}` : `u:${target.userId}`;
const targetOf = (value: string) =>
  value.startsWith('s:') ? { scheduleId: value.slice(2) } : { userId: Number(value.slice(2)) };

function PolicyForm({
  people,
  schedules,
  policy,
  onDone,
}: {
  people: User[];
  schedules: Schedule[];
  policy: Policy | null;
  onDone: () => void;
}) {
  const [id, setId] = useState(policy?.id ?? '');
  const [name, setName] = useState(policy?.name ?? '');
  const [isDefault, setIsDefault] = useState(policy?.isDefault ?? false);
  const [steps, setSteps] = useState(
    (policy?.steps ?? [{ targets: [], waitMinutes: 15 }]).map((step) => ({
      target: step.targets[0] ? targetValue(step.targets[0]) : '',
      wait: String(step.waitMinutes),
    })),
  );
  const action = useAction();
  const title = policy ? `Edit policy “${policy.name}”` : 'New policy';
  async function save(event: FormEvent) {
    event.preventDefault();
    const done = await action.run(() =>
      settingsApi.savePolicy({
        id: id.trim(),
        name: name.trim(),
        isDefault,
        repeat: policy?.repeat ?? 0,
        steps: steps.map((step) => ({ targets: [targetOf(step.target)], waitMinutes: Number(step.wait) })),
      }),
    );
    if (done) onDone();
  }
  return (
    <form className="settings-form" aria-label={title} onSubmit={(event) => void save(event)}>
      <div className="settings-row">
        <IdField value={id} onChange={setId} locked={policy !== null} />
        <label className="field">
          <span>Name</span>
          <input required maxLength={80} value={name} onChange={(event) => setName(event.target.value)} />
        </label>
      </div>
      <ol className="policy-steps">
        {steps.map((step, index) => {
          const set = (change: Partial<typeof step>) =>
            setSteps(steps.map((other, at) => (at === index ? { ...other, ...change } : other)));
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: steps are positional, their order is their meaning
            <li key={index} className="settings-row">
              <label className="field">
                <span>Step {index + 1} pages</span>
                <select required value={step.target} onChange={(event) => set({ target: event.target.value })}>
                  <option value="">Choose…</option>
                  {schedules.map((schedule) => (
                    <option key={schedule.id} value={`s:${schedule.id}`}>
                      On call in {schedule.name}
                    </option>
                  ))}
                  {people.map((user) => (
                    <option key={user.id} value={`u:${user.id}`}>
                      {user.displayName}
                    </option>
                  ))}
                </select>
              </label>
              <label className="field">
                <span>Step {index + 1} waits (min)</span>
                <input
                  type="number"
                  required
                  min={1}
                  max={1440}
                  value={step.wait}
                  onChange={(event) => set({ wait: event.target.value })}
                />
              </label>
              {steps.length > 1 ? (
                <button
                  type="button"
                  className="btn btn-ghost btn-small"
                  onClick={() => setSteps(steps.filter((_, at) => at !== index))}
                >
                  Remove step {index + 1}
                </button>
              ) : null}
            </li>
          );
        })}
      </ol>
      <div className="settings-actions">
        <button
          type="button"
          className="btn btn-ghost btn-small"
          onClick={() => setSteps([...steps, { target: '', wait: '15' }])}
        >
          Add step
        </button>
        <label className="field-inline">
          <input type="checkbox" checked={isDefault} onChange={(event) => setIsDefault(event.target.checked)} />
          <span>Default policy for new major incidents</span>
        </label>
      </div>
      <FormError message={action.problem} />
      <FormButtons busy={action.busy} label={policy ? 'Save policy' : 'Create policy'} onCancel={onDone} />
    </form>
  );
}

function Contacts({ people, list, reload }: { people: User[]; list: Contact[] | null; reload: () => void }) {
  const [editing, setEditing] = useState<Contact | 'new' | null>(null);
  const action = useAction();
  const nameOf = (id: number) => people.find((user) => user.id === id)?.displayName ?? `user ${id}`;
  async function remove(contact: Contact) {
    if (!window.confirm(`Remove how ${nameOf(contact.userId)} is reached?`)) return;
    if (await action.run(() => settingsApi.deleteContact(contact.userId))) reload();
  }
  return (
    <section className="card" aria-labelledby="contacts-title">
      <h2 className="card-title" id="contacts-title">
        Contacts
      </h2>
      <FormError message={action.problem} />
      <ItemList
        items={list}
        empty="Nobody has a contact yet: escalations reach no one outside the desk."
        describe={(c) => `${nameOf(c.userId)}: ${[c.email, c.webhookUrl].filter(Boolean).join(', ')}`}
        name={(c) => nameOf(c.userId)}
        onEdit={setEditing}
        onDelete={(c) => void remove(c)}
      />
      {editing ? (
        <ContactForm
          key={editing === 'new' ? 'new' : editing.userId}
          people={people}
          contact={editing === 'new' ? null : editing}
          onDone={() => {
            setEditing(null);
            reload();
          }}
        />
      ) : (
        <button type="button" className="btn btn-small" onClick={() => setEditing('new')}>
          New contact
        </button>
      )}
    </section>
  );
}

function ContactForm({ people, contact, onDone }: { people: User[]; contact: Contact | null; onDone: () => void }) {
  const [userId, setUserId] = useState(contact ? String(contact.userId) : '');
  const [email, setEmail] = useState(contact?.email ?? '');
  const [webhookUrl, setWebhookUrl] = useState(contact?.webhookUrl ?? '');
  const action = useAction();
  const title = contact ? 'Edit contact' : 'New contact';
  async function save(event: FormEvent) {
    event.preventDefault();
    const done = await action.run(() =>
      settingsApi.saveContact(Number(userId), {
        email: email.trim() || null,
        webhookUrl: webhookUrl.trim() || null,
      }),
    );
    if (done) onDone();
  }
  return (
    <form className="settings-form" aria-label={title} onSubmit={(event) => void save(event)}>
      <div className="settings-row">
        <label className="field">
          <span>Person</span>
          <select
            required
            disabled={contact !== null}
            value={userId}
            onChange={(event) => setUserId(event.target.value)}
          >
            <option value="">Choose…</option>
            {people.map((user) => (
              <option key={user.id} value={user.id}>
                {user.displayName}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>E-mail</span>
          <input type="email" maxLength={320} value={email} onChange={(event) => setEmail(event.target.value)} />
        </label>
        <label className="field">
          <span>Webhook URL</span>
          <input
            type="url"
            maxLength={2000}
            value={webhookUrl}
            onChange={(event) => setWebhookUrl(event.target.value)}
          />
        </label>
      </div>
      <FormError message={action.problem} />
      <FormButtons busy={action.busy} label={contact ? 'Save contact' : 'Create contact'} onCancel={onDone} />
    </form>
  );
}

function IdField({ value, onChange, locked }: { value: string; onChange: (id: string) => void; locked: boolean }) {
  return (
    <label className="field">
      <span>Id (a-z, 0-9, -)</span>
      <input
        required
        readOnly={locked}
        pattern={SLUG}
        maxLength={40}
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
    </label>
  );
}

function FormButtons({ busy, label, onCancel }: { busy: boolean; label: string; onCancel: () => void }) {
  return (
    <div className="settings-actions">
      <button type="submit" className="btn btn-primary btn-small" disabled={busy}>
        {label}
      </button>
      <button type="button" className="btn btn-small" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

/** A settings list: one line per item with Edit and Delete, named for screen readers. */
export function ItemList<T>({
  items,
  empty,
  describe,
  name,
  onEdit,
  onDelete,
}: {
  items: T[] | null;
  empty: string;
  describe: (item: T) => string;
  name: (item: T) => string;
  onEdit: (item: T) => void;
  onDelete: (item: T) => void;
}) {
  if (items === null) return <p className="muted">Loading…</p>;
  if (items.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul className="settings-items">
      {items.map((item) => (
        <li key={name(item)}>
          <span>{describe(item)}</span>
          <span className="settings-item-actions">
            <button type="button" className="btn btn-small" onClick={() => onEdit(item)}>
              Edit<span className="sr-only"> {name(item)}</span>
            </button>
            <button type="button" className="btn btn-danger-ghost btn-small" onClick={() => onDelete(item)}>
              Delete<span className="sr-only"> {name(item)}</span>
            </button>
          </span>
        </li>
      ))}
    </ul>
  );
}
