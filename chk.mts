import { connect } from 'node:net';
const open = await new Promise<boolean>((resolve) => {
    const socket = connect(6379, '127.0.0.1');
    socket.setTimeout(500, () => resolve(false));
    socket.once('connect', () => resolve(true));
    socket.once('error', (e) => { console.log(e); resolve(false)});
  });
console.log(open);
