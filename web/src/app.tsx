/**
 * The desk's shell: checks the session, shows the login page or the desk, and picks the view
 * for the path. Navigation depends on the role: agents work streams and the inbox, leads also
 * set the team's rules in Settings, admins also manage people; employees see only the wall and
 * rooms (loaded lazily, `web/src/wall/`).
 */
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { api, setUnauthorizedHandler } from './api.js';
import type { User } from './api-types.js';
import { connectLive, disconnectLive, useLiveState } from './live.js';
import { linkHandler, navigate, usePath } from './router.js';
import { can, SessionContext, useSession, type Session } from './session.js';
import { Avatar, BrandMark } from './components/avatar.js';
import { LoginView } from './views/login.js';
import { StreamsView } from './views/streams.js';
import { InboxView } from './views/inbox.js';
import { PulseView } from './views/pulse.js';
import { UsersView } from './views/users.js';
import { SourcesView } from './views/sources.js';
import { ServicesView } from './views/services.js';
import { ReportsView } from './views/reports.js';
import { IncidentsView } from './views/incidents.js';
import { IncidentView } from './views/incident.js';
import { AlertsView } from './views/alerts.js';
import { SettingsView } from './views/settings.js';
import { AlertCue } from './components/alert-cue.js';
import { ContributorView, KnowledgeView } from './views/knowledge.js';
import { BeltView } from './views/belt.js';
import { LiveAnnouncer } from './components/live-announcer.js';
import { SavedRepliesView } from './views/saved-replies.js';
import { isWallPath } from './wall/paths.js';

// The wall and rooms load on first visit: agents who never open them do not download them.
const WallSection = lazy(() => import('./wall/section.js'));
const AcceptInvite = lazy(() => import('./wall/accept-invite.js'));

type Phase = { state: 'checking' } | { state: 'anonymous' } | { state: 'in'; user: User };

export function App() {
  const [phase, setPhase] = useState<Phase>({ state: 'checking' });
  const path = usePath();

  useEffect(() => {
    setUnauthorizedHandler(() => setPhase({ state: 'anonymous' }));
    api.me().then(
      ({ user }) => setPhase({ state: 'in', user }),
      () => setPhase({ state: 'anonymous' }),
    );
  }, []);

  const logout = useCallback(async () => {
    await api.logout().catch(() => {});
    disconnectLive();
    setPhase({ state: 'anonymous' });
    navigate('/login', { replace: true });
  }, []);

  const session = useMemo<Session | null>(
    () => (phase.state === 'in' ? { user: phase.user, logout } : null),
    [phase, logout],
  );

  useEffect(() => {
    // Employees get the wall's and rooms' events only (the server filters).
    if (phase.state === 'in') connectLive();
    if (phase.state === 'anonymous') disconnectLive();
  }, [phase]);

  if (path === '/invite')
    return (
      <Suspense fallback={<div className="splash">Earshot</div>}>
        <AcceptInvite />
      </Suspense>
    );
  if (phase.state === 'checking')
    return (
      <div className="splash" aria-busy="true">
        Earshot
      </div>
    );
  if (phase.state === 'anonymous' || !session) {
    return (
      <LoginView
        onLogin={(user) => {
          setPhase({ state: 'in', user });
          const next = new URLSearchParams(location.search).get('next');
          navigate(next?.startsWith('/') && !next.startsWith('//') ? next : home(user), { replace: true });
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Desk path={path} />
    </SessionContext.Provider>
  );
}

function home(user: User): string {
  if (!can(user, 'agent')) return '/wall';
  return can(user, 'lead') ? '/pulse' : '/streams';
}

interface NavItem {
  readonly to: string;
  readonly label: string;
  readonly icon: string;
  readonly role: User['role'];
}

const NAV: readonly NavItem[] = [
  { to: '/pulse', label: 'Pulse', icon: '◔', role: 'agent' },
  { to: '/streams', label: 'Streams', icon: '▥', role: 'agent' },
  { to: '/inbox', label: 'Inbox', icon: '✉', role: 'agent' },
  { to: '/incidents', label: 'Incidents', icon: '⚑', role: 'agent' },
  { to: '/alerts', label: 'Alerts', icon: '◉', role: 'agent' },
  { to: '/users', label: 'People', icon: '☺', role: 'admin' },
  { to: '/sources', label: 'Sources', icon: '⇶', role: 'agent' },
  { to: '/knowledge', label: 'Knowledge', icon: '❖', role: 'agent' },
  { to: '/belt', label: 'Belt', icon: '◐', role: 'agent' },
  { to: '/services', label: 'Services', icon: '▣', role: 'agent' },
  { to: '/reports', label: 'Reports', icon: '▤', role: 'agent' },
  { to: '/wall', label: 'Wall', icon: '✎', role: 'employee' },
  { to: '/rooms', label: 'Rooms', icon: '☷', role: 'employee' },
  { to: '/settings', label: 'Settings', icon: '⚙', role: 'agent' },
];

function Desk({ path }: { path: string }) {
  const { user, logout } = useSession();
  const atRoot = path === '/' || path === '/login';
  useEffect(() => {
    if (atRoot) navigate(home(user), { replace: true });
  }, [atRoot, user]);
  if (atRoot) return null;
  const items = NAV.filter((item) => can(user, item.role));
  return (
    <div className="desk">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="rail" aria-label="Main">
        <div className="brand">
          <BrandMark />
          <span className="brand-name">Earshot</span>
        </div>
        <ul>
          {items.map((item) => {
            const current = path === item.to || path.startsWith(`${item.to}/`);
            return (
              <li key={item.to}>
                <a
                  href={item.to}
                  onClick={linkHandler(item.to)}
                  aria-current={current ? 'page' : undefined}
                  className="rail-link"
                >
                  <span className="rail-icon" aria-hidden="true">
                    {item.icon}
                  </span>
                  <span className="rail-label">{item.label}</span>
                  {item.to === '/alerts' ? <AlertCue /> : null}
                </a>
              </li>
            );
          })}
        </ul>
        <div className="rail-foot">
          <LiveIndicator />
          <div className="me" title={`${user.displayName} (${user.role})`}>
            <Avatar name={user.displayName} size={28} />
            <span className="me-text">
              <span className="me-name">{user.displayName}</span>
              <span className="me-role">{user.role}</span>
            </span>
          </div>
          <button type="button" className="btn btn-ghost btn-small logout" onClick={() => void logout()}>
            Log out
          </button>
        </div>
      </nav>
      <main id="main" className="main" tabIndex={-1}>
        {isWallPath(path) ? (
          <Suspense fallback={<p aria-busy="true">Loading…</p>}>
            <WallSection path={path} />
          </Suspense>
        ) : can(user, 'agent') ? (
          <View path={path} />
        ) : (
          <NotForEmployees />
        )}
      </main>
      <LiveAnnouncer />
    </div>
  );
}

function View({ path }: { path: string }) {
  if (path.startsWith('/streams')) return <StreamsView />;
  const ticket = /^\/inbox\/(\d+)$/.exec(path);
  if (path === '/inbox' || ticket) return <InboxView openId={ticket ? Number(ticket[1]) : null} />;
  if (path.startsWith('/pulse')) return <PulseView />;
  if (path.startsWith('/users')) return <UsersView />;
  const incident = /^\/incidents\/(\d+)$/.exec(path);
  if (incident) return <IncidentView id={Number(incident[1])} />;
  if (path === '/incidents') return <IncidentsView />;
  if (path.startsWith('/alerts')) return <AlertsView />;
  if (path.startsWith('/sources')) return <SourcesView />;
  const article = /^\/knowledge\/(\d+|new)$/.exec(path);
  if (path === '/knowledge' || article)
    return <KnowledgeView articleId={article ? (article[1] === 'new' ? 'new' : Number(article[1])) : null} />;
  const contributor = /^\/contributors\/(\d+)$/.exec(path);
  if (contributor) return <ContributorView id={Number(contributor[1])} />;
  if (path.startsWith('/belt')) return <BeltView />;
  if (path === '/settings' || path.startsWith('/settings/')) return <SettingsView path={path} />;
  if (path === '/saved-replies') return <SavedRepliesView />;
  if (path.startsWith('/services')) return <ServicesView />;
  if (path.startsWith('/reports')) return <ReportsView />;
  return (
    <section className="empty-state">
      <h1>Not found</h1>
      <p>
        There is nothing at <code>{path}</code>.{' '}
        <a href="/streams" onClick={linkHandler('/streams')}>
          Back to the streams
        </a>
      </p>
    </section>
  );
}

function LiveIndicator() {
  const { state } = useLiveState();
  const label = state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Offline';
  return (
    <span className={`live live-${state}`} role="status" aria-label={`Live updates: ${label}`}>
      <span className="live-dot" aria-hidden="true" />
      <span className="live-label">{label}</span>
    </span>
  );
}

/** An employee on a desk path: nothing of the social desk is loaded or shown. */
function NotForEmployees() {
  return (
    <section className="empty-state">
      <h1>Not available</h1>
      <p>
        This part of Earshot is for the service desk.{' '}
        <a href="/wall" onClick={linkHandler('/wall')}>
          Go to the wall
        </a>
      </p>
    </section>
  );
}
