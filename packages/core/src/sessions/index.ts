export { Sessions, type Session } from './sessions.js';
export { SessionsModule } from './sessions.module.js';
export { SessionsConfig } from './sessions-config.js';
