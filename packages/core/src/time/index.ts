export { Clock, SystemClock, type TimerHandle, type AbortLike } from './clock.js';
export { parseDuration, parseRate, type Duration, type Rate } from './duration.js';
