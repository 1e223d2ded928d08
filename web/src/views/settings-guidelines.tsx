/**
 * Settings → Guidelines: the reply rules every reply is checked against (blocked words,
 * profanity, shouting, personal data, longest reply per channel). Each save is a new version;
 * older versions stay readable and can be loaded back into the form. The test box runs any text
 * through the same check the composer uses (`POST /api/guidelines/check`): text in, findings out.
 */
import { type FormEvent, useEffect, useState } from 'react';
import { type CheckResult, PERSONAL_DATA_KINDS, type PersonalDataKind } from '../api-types.js';
import { useResource } from '../data/resource.js';
import { type GuidelineRules, settingsApi } from '../data/settings-api.js';
import { useUsers } from '../data/resources.js';
import { FormError } from '../components/form-error.js';
import { Findings } from '../components/findings.js';
import { absoluteTime } from '../format.js';
import { SettingsHead, useAction } from './settings.js';

const PERSONAL_LABEL: Readonly<Record<PersonalDataKind, string>> = {
  card: 'card numbers',
  phone: 'phone numbers',
  email: 'e-mail addresses',
  secret: 'passwords and secrets',
};

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

export function GuidelineSettings() {
  const guidelines = useResource('guidelines', (signal) => settingsApi.guidelines(signal));
  const users = useUsers();
  const [shown, setShown] = useState<GuidelineRules | null>(null);
  const action = useAction();
  useEffect(() => {
    if (guidelines.data && !shown) setShown(guidelines.data.rules);
  }, [guidelines.data, shown]);

  async function load(version: number) {
    await action.run(async () => setShown(await settingsApi.guidelineVersion(version)));
  }

  return (
    <section className="settings-section">
      <SettingsHead title="Guidelines">
        What every reply is checked against before it is sent. Each save is a new version.
      </SettingsHead>
      <div className="settings-grid">
        {shown && guidelines.data ? (
          <RulesForm
            key={`${shown.version}-${guidelines.data.rules.version}`}
            rules={shown}
            current={guidelines.data.rules.version}
            onSaved={(saved) => {
              setShown(saved);
              void guidelines.reload();
            }}
          />
        ) : (
          <p className="muted">Loading…</p>
        )}
        <div className="settings-side">
          <TestBox />
          <section className="card" aria-labelledby="versions-title">
            <h2 className="card-title" id="versions-title">
              Versions
            </h2>
            <FormError message={action.problem} />
            <ol className="settings-items versions" reversed>
              {(guidelines.data?.versions ?? []).map((version) => (
                <li key={version.version}>
                  <span>
                    v{version.version} · {absoluteTime(version.createdAt)} ·{' '}
                    {users.data?.find((user) => user.id === version.authorId)?.displayName ?? 'built in'}
                    {version.unbacked ? ' · no policy change' : ''}
                  </span>
                  <button type="button" className="btn btn-small" onClick={() => void load(version.version)}>
                    Load<span className="sr-only"> version {version.version}</span>
                  </button>
                </li>
              ))}
              <li>
                <span>v0 · the built-in defaults</span>
                <button type="button" className="btn btn-small" onClick={() => void load(0)}>
                  Load<span className="sr-only"> version 0</span>
                </button>
              </li>
            </ol>
          </section>
        </div>
      </div>
    </section>
  );
}

function RulesForm({
  rules,
  current,
  onSaved,
}: {
  rules: GuidelineRules;
  current: number;
  onSaved: (rules: GuidelineRules) => void;
}) {
  const [blocked, setBlocked] = useState(rules.blockedWords.join('\n'));
  const [profanity, setProfanity] = useState(rules.profanity.join('\n'));
  const [caps, setCaps] = useState(String(Math.round(rules.maxCapsShare * 100)));
  const [personal, setPersonal] = useState<PersonalDataKind[]>(rules.personalData);
  const [lengths, setLengths] = useState(
    Object.entries(rules.maxLength)
      .map(([channel, max]) => `${channel}=${max}`)
      .join('\n'),
  );
  const action = useAction();

  async function save(event: FormEvent) {
    event.preventDefault();
    const maxLength: Record<string, number> = {};
    for (const line of lines(lengths)) {
      const match = /^([a-z0-9_-]{1,40})\s*=\s*(\d+)$/.exec(line);
      if (!match) {
        action.setProblem(`“${line}” is not channel=number, e.g. mastodon=500`);
        return;
      }
      maxLength[match[1]!] = Number(match[2]);
    }
    let saved: GuidelineRules | null = null;
    const done = await action.run(async () => {
      saved = await settingsApi.saveGuidelines({
        blockedWords: lines(blocked),
        profanity: lines(profanity),
        maxCapsShare: Number(caps) / 100,
        personalData: personal,
        maxLength,
        policyVersionId: rules.policyVersionId ?? null,
      });
    });
    if (done && saved) onSaved(saved);
  }

  return (
    <form className="card" aria-label="Reply rules" onSubmit={(event) => void save(event)}>
      <h2 className="card-title">
        Rules, version {rules.version}
        {rules.version !== current ? ` (current is ${current}; saving makes this the next version)` : ''}
      </h2>
      <label className="field">
        <span>Blocked words and phrases (one per line)</span>
        <textarea rows={5} value={blocked} onChange={(event) => setBlocked(event.target.value)} />
      </label>
      <label className="field">
        <span>Profanity (one per line)</span>
        <textarea rows={3} value={profanity} onChange={(event) => setProfanity(event.target.value)} />
      </label>
      <label className="field">
        <span>Most capitals allowed (% of letters)</span>
        <input
          type="number"
          required
          min={0}
          max={100}
          value={caps}
          onChange={(event) => setCaps(event.target.value)}
        />
      </label>
      <fieldset className="field">
        <legend>Block personal data</legend>
        {PERSONAL_DATA_KINDS.map((kind) => (
          <label key={kind} className="field-inline">
            <input
              type="checkbox"
              checked={personal.includes(kind)}
              onChange={(event) =>
                setPersonal(event.target.checked ? [...personal, kind] : personal.filter((other) => other !== kind))
              }
            />
            <span>{PERSONAL_LABEL[kind]}</span>
          </label>
        ))}
      </fieldset>
      <label className="field">
        <span>Longest reply per channel (channel=characters, one per line)</span>
        <textarea rows={3} className="mono" value={lengths} onChange={(event) => setLengths(event.target.value)} />
      </label>
      <FormError message={action.problem} />
      <div className="settings-actions">
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          Save as new version
        </button>
      </div>
    </form>
  );
}

function TestBox() {
  const [text, setText] = useState('');
  const [channel, setChannel] = useState('mastodon');
  const [result, setResult] = useState<CheckResult | null>(null);
  const action = useAction();
  async function check(event: FormEvent) {
    event.preventDefault();
    await action.run(async () => setResult(await settingsApi.checkText(text, channel.trim(), 'public')));
  }
  return (
    <form className="card" aria-label="Test the rules" onSubmit={(event) => void check(event)}>
      <h2 className="card-title">Test the rules</h2>
      <label className="field">
        <span>A reply to check</span>
        <textarea rows={3} required value={text} onChange={(event) => setText(event.target.value)} />
      </label>
      <label className="field">
        <span>Channel</span>
        <input required maxLength={40} value={channel} onChange={(event) => setChannel(event.target.value)} />
      </label>
      <FormError message={action.problem} />
      <div className="settings-actions">
        <button type="submit" className="btn btn-small" disabled={action.busy}>
          Check
        </button>
      </div>
      {result ? <Findings findings={result.findings} version={result.version} /> : null}
    </form>
  );
}
