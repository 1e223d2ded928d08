/** Which paths the lazily loaded wall section answers, known to the shell without loading it. */
export function isWallPath(path: string): boolean {
  return path === '/wall' || path.startsWith('/wall/') || path === '/rooms' || path.startsWith('/rooms/');
}
