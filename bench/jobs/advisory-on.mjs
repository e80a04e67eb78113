import { server } from './advisory-server.mjs';
export const start = server(true);
