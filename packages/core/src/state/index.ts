export { AllowState } from './allow-state.js';
export type { StateViolation, StateKind } from './inspect.js';
export type { StateOptOut, GuardReport } from './guard.js';
