export * from './post.js';
export * from './stream.js';
export * from './ticket.js';
export * from './alert.js';
export * from './user.js';
export * from './errors.js';
