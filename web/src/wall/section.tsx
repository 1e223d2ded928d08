/**
 * The Wall and Rooms section of the desk, loaded on first visit (its own chunk and stylesheet):
 * picks the view for the path. Everyone logged in reaches it; employees reach nothing else.
 */
import { useEffect } from 'react';
import { fillWallet } from './wallet.js';
import { SpacesView } from './spaces-view.js';
import { SpaceView } from './space-view.js';
import { ThreadView } from './thread-view.js';
import { RoomsView } from './rooms-view.js';
import { InviteView } from './invite-view.js';
import './wall.css';

export default function WallSection({ path }: { path: string }) {
  useEffect(() => {
    // Every visit to the wall takes the day's tokens, posting or not (docs/wall.md, threat model).
    if (path.startsWith('/wall')) void fillWallet();
  }, [path]);
  const space = /^\/wall\/spaces\/(\d+)$/.exec(path);
  if (space) return <SpaceView id={Number(space[1])} />;
  const thread = /^\/wall\/threads\/([A-Za-z0-9_-]+)$/.exec(path);
  if (thread) return <ThreadView id={thread[1]!} />;
  if (path === '/wall/invite') return <InviteView />;
  const room = /^\/rooms\/(\d+)$/.exec(path);
  if (path === '/rooms' || room) return <RoomsView openId={room ? Number(room[1]) : null} />;
  return <SpacesView />;
}
